/**
 * Writes the 585k-row synthetic data in the study's released folder layout
 * (<model>/<original|warm>/<task>_<variant>_outputs.csv), so the study-folder
 * path of `analyze` can be benchmarked: each response's output is a string of
 * its synthetic length (no refusal phrase), evaluation CORRECT/INCORRECT.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { ITEM_KEY, type StudyTask } from "../../src/analysis/study-rules.js";
import type { Frame } from "../../src/stats/frame.js";
import { getCategorical, getNumeric } from "../../src/stats/frame.js";

export function writeStudyLayout(frame: Frame, root: string): number {
  const col = (c: string) => getCategorical(frame, c);
  const model = col("model");
  const ft = col("is_finetuned");
  const ds = col("dataset");
  const item = col("item_id");
  const ctx = col("amendment_type");
  const tpl = col("prompt_type");
  const y = getNumeric(frame, "is_incorrect").values;
  const len = getNumeric(frame, "response_length").values;
  const files = new Map<string, { fd: number; buf: string[] }>();
  const flush = (f: { fd: number; buf: string[] }) => {
    writeSync(f.fd, f.buf.join(""));
    f.buf.length = 0;
  };
  for (let r = 0; r < frame.n; r++) {
    const m = model.levels[model.codes[r]!]!;
    const variant = ft.levels[ft.codes[r]!] === "1" ? "warm" : "original";
    const task = ds.levels[ds.codes[r]!]! as StudyTask;
    const file = path.join(root, m, variant, `${task}_${variant}_outputs.csv`);
    let f = files.get(file);
    if (!f) {
      mkdirSync(path.dirname(file), { recursive: true });
      f = {
        fd: openSync(file, "w"),
        buf: [`${ITEM_KEY[task]},prompt_template,amendment_type,output,evaluation\n`],
      };
      files.set(file, f);
    }
    f.buf.push(
      `"${item.levels[item.codes[r]!]}",${tpl.levels[tpl.codes[r]!]},"${ctx.levels[ctx.codes[r]!]}","${"w".repeat(len[r]!)}",${y[r] ? "INCORRECT" : "CORRECT"}\n`,
    );
    if (f.buf.length >= 4096) flush(f);
  }
  for (const f of files.values()) {
    flush(f);
    closeSync(f.fd);
  }
  return files.size;
}
