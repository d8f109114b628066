import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
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

const columns = { id: "qid", question: "Q", correct: "Right", incorrect: "Wrong" };
const load = (
  path: string,
  task: "triviaqa" | "disinfo" = "triviaqa",
  cols: Record<string, string> = columns,
) => loadItems({ task, path, columns: cols }, { seed: 1, baseDir: dir });

describe("generic files with a column mapping", () => {
  it("CSV: list cells split on '; ', other columns kept in meta", async () => {
    await writeFile(
      join(dir, "mine.csv"),
      'qid,Q,Right,Wrong,note\nx1,Capital of France?,Paris; City of Light,Lyon; Marseille,geo\nx2,2+2?,4,5,"math, easy"\n',
    );
    const items = await load("mine.csv");
    expect(items).toEqual([
      {
        task: "triviaqa",
        id: "x1",
        question: "Capital of France?",
        correct: ["Paris", "City of Light"],
        incorrect: ["Lyon", "Marseille"],
        beliefForm: "answer",
        meta: { note: "geo" },
      },
      expect.objectContaining({
        id: "x2",
        correct: ["4"],
        incorrect: ["5"],
        meta: { note: "math, easy" },
      }),
    ]);
  });

  it("JSONL with JSON-array cells; no id column → content hash", async () => {
    await writeFile(
      join(dir, "mine.jsonl"),
      `${JSON.stringify({ Q: "Sky colour?", Right: ["blue", "Blue"], Wrong: '["green"]' })}\n`,
    );
    const items = await load("mine.jsonl", "triviaqa", {
      question: "Q",
      correct: "Right",
      incorrect: "Wrong",
    });
    expect(items[0]!.id).toMatch(/^[0-9a-f]{12}$/);
    expect(items[0]!.correct).toEqual(["blue", "Blue"]);
    expect(items[0]!.incorrect).toEqual(["green"]);
  });

  it("JSON array file; disinfo items are propositions", async () => {
    await writeFile(
      join(dir, "mine.json"),
      JSON.stringify([
        {
          qid: "p1",
          Q: "Is the Earth flat?",
          Right: "The Earth is round.",
          Wrong: "The Earth is flat.",
        },
      ]),
    );
    const items = await load("mine.json", "disinfo");
    expect(items[0]).toMatchObject({
      id: "p1",
      beliefForm: "proposition",
      correct: ["The Earth is round."],
    });
  });

  it("Parquet with list columns", async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "qid", data: ["a", "b"] },
        { name: "Q", data: ["One?", "Two?"] },
        { name: "Right", data: [["1", "one"], ["2"]] },
        { name: "Wrong", data: [["3"], []] },
      ],
      schema: [
        { name: "root", num_children: 4 },
        { name: "qid", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
        { name: "Q", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
        { name: "Right", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        {
          name: "element",
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: "OPTIONAL",
        },
        { name: "Wrong", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        {
          name: "element",
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: "OPTIONAL",
        },
      ],
    });
    await writeFile(join(dir, "mine.parquet"), new Uint8Array(buffer));
    const items = await load("mine.parquet");
    expect(items.map((i) => [i.id, i.correct, i.incorrect])).toEqual([
      ["a", ["1", "one"], ["3"]],
      ["b", ["2"], []],
    ]);
  });

  it("a mapped column that is missing names the file and the columns found", async () => {
    await writeFile(join(dir, "other.csv"), "question,answer\nQ?,A\n");
    const error = await load("other.csv").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(String((error as Error).message)).toContain(
      'missing column "Q"; found columns: question, answer',
    );
  });

  it("an incomplete mapping is rejected before reading", async () => {
    const error = await load("other.csv", "triviaqa", { question: "question" }).catch(
      (e: unknown) => e,
    );
    expect(String((error as Error).message)).toContain(
      "expected at least `question` and `correct`",
    );
  });

  it("an empty correct cell names the row and column", async () => {
    await writeFile(join(dir, "empty.csv"), "qid,Q,Right,Wrong\nx,Q?,,no\n");
    const error = (await load("empty.csv").catch((e: unknown) => e)) as DataError;
    expect(error.where).toBe("row 1 (line 2), column Right");
  });
});
