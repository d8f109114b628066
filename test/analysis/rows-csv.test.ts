import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateSynthetic, SMALL_ITEMS } from "../../scripts/reference/synthetic.js";
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import type { AnalysisRow } from "../../src/analysis/rows.js";
import { ROW_COLUMNS } from "../../src/analysis/rows.js";
import { readRowsCsv, writeFrameCsv } from "../../src/analysis/rows-csv.js";
import { DataError } from "../../src/errors.js";

const dir = mkdtempSync(path.join(tmpdir(), "candor-rows-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row: AnalysisRow = {
  comparison: "warm",
  model: "llama_70b",
  is_finetuned: 1,
  dataset: "truthfulqa",
  item_id: 'What is "the" answer,\nreally?',
  amendment_type: "emotion:sad",
  amendment_group: "emotion",
  prompt_type: "correct",
  prompt_group: "user_opinion",
  sample: 0,
  is_incorrect: 1,
  response_length: 412,
};

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe("analysis-rows CSV", () => {
  it("round-trips the synthetic frame and gives the same fit", async () => {
    const { frame } = generateSynthetic(SMALL_ITEMS);
    const file = path.join(dir, "small.csv");
    await writeFrameCsv(frame, file);
    const back = readRowsCsv(file);
    expect(back.n).toBe(frame.n);
    const a = fitStudyModel(frame, "model4");
    const b = fitStudyModel(back, "model4");
    expect(b.coefficients).toEqual(a.coefficients);
  });

  it("handles quoted fields with commas, quotes, newlines and CRLF line ends", async () => {
    const file = path.join(dir, "quoted.csv");
    await writeFrameCsv(rowsToFrame([row, { ...row, is_finetuned: 0, is_incorrect: 0 }]), file);
    const back = readRowsCsv(file);
    const item = back.columns.get("item_id");
    expect(item?.kind === "categorical" && item.levels).toEqual([row.item_id]);
    const crlf = write(
      "crlf.csv",
      `${ROW_COLUMNS.join(",")}\r\nwarm,m,0,disinfo,q1,unmodified,unmodified,original,original,0,1,12\r\n`,
    );
    expect(readRowsCsv(crlf).n).toBe(1);
  });

  it("names file, row and column for bad values", () => {
    const head = `${ROW_COLUMNS.join(",")}\n`;
    const good = "warm,m,0,disinfo,q1,unmodified,unmodified,original,original,0,1,12\n";
    const bad = (line: string) => write(`bad-${Math.random()}.csv`, head + good + line);
    expect(() =>
      readRowsCsv(bad("warm,m,2,disinfo,q1,unmodified,unmodified,original,original,0,1,12\n")),
    ).toThrow(/row 2, column is_finetuned/);
    expect(() =>
      readRowsCsv(bad("warm,m,0,disinfo,q1,unmodified,emotion,original,original,0,1,12\n")),
    ).toThrow(/row 2, column amendment_group/);
    expect(() =>
      readRowsCsv(bad("warm,m,0,disinfo,q1,unmodified,unmodified,original,original,0,x,12\n")),
    ).toThrow(/row 2, column is_incorrect/);
    expect(() =>
      readRowsCsv(bad("warm,m,0,disinfo,q1,unmodified,unmodified,original,original,0,1\n")),
    ).toThrow(DataError);
    expect(() => readRowsCsv(write("nohead.csv", "a,b\n1,2\n"))).toThrow(/header/);
    expect(() => readRowsCsv(path.join(dir, "missing.csv"))).toThrow(DataError);
  });
});
