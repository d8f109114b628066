/** Invalid UTF-8 is an error naming the file and line; `encoding: latin1` reads Latin-1 files. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadItems } from "../../src/data/index.js";
import { DataError } from "../../src/errors.js";
import { tempDir } from "./shared.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** A generic CSV whose third line has "Zürich" in Latin-1 (0xFC, not valid UTF-8). */
async function latin1Csv(name: string): Promise<string> {
  const text = "question,correct\nCapital of France?,Paris\nLargest Swiss city?,Zürich\n";
  await writeFile(join(dir, name), Buffer.from(text, "latin1"));
  return name;
}
const columns = { question: "question", correct: "correct" };

describe("dataset encodings", () => {
  it("invalid UTF-8 names the file and the line, and suggests encoding: latin1", async () => {
    const path = await latin1Csv("latin1.csv");
    const error = await loadItems(
      { task: "triviaqa", path, columns },
      { seed: 1, baseDir: dir },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toBe(
      `${join(dir, path)} (line 3): invalid UTF-8; expected a UTF-8 text file (for a Latin-1 file, set \`encoding: latin1\` on the task)`,
    );
  });

  it("encoding: latin1 reads the same file correctly", async () => {
    const path = await latin1Csv("latin1-ok.csv");
    const items = await loadItems(
      { task: "triviaqa", path, columns, encoding: "latin1" },
      { seed: 1, baseDir: dir },
    );
    expect(items.map((i) => i.correct[0])).toContain("Zürich");
  });
});
