/**
 * Reads the study's released per-response layout
 *   <root>/<model>/<variant>/<task>_<variant>_outputs.csv
 * where variant "original" is the reference subject and any other variant
 * ("warm", "cold", …) a treatment, and turns it into AnalysisRows with the
 * authors' conventions (study-rules.ts). Every file is validated at the
 * boundary; a bad row raises a DataError naming file, row and column.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { DataError } from "../errors.js";
import { BELIEFS, CONTEXTS } from "../types.js";
import { type AnalysisRow, amendmentGroupOf } from "./rows.js";
import {
  codePointLength,
  ITEM_KEY,
  isRefusal,
  STUDY_TASKS,
  type StudyTask,
  studyPromptGroup,
} from "./study-rules.js";

export const REFERENCE_VARIANT = "original";

export interface ImportOptions {
  /**
   * Where refusals come from: the phrase rule (the study's analysis code; default)
   * or the released `refusal` column (which misses some phrasings, e.g. "I can’t").
   */
  readonly refusals?: "phrases" | "column";
  /** Count any evaluation other than INCORRECT as correct, as the authors' code does. Default: reject it. */
  readonly lenientEvaluation?: boolean;
}

export interface ImportFileReport {
  readonly file: string;
  readonly model: string;
  readonly variant: string;
  readonly dataset: StudyTask;
  readonly rows: number;
  readonly duplicates: number;
  readonly refusals: number;
  /** Refusals dropped (non-Disinfo) — on Disinfo they are kept as CORRECT. */
  readonly dropped: number;
  readonly kept: number;
  /** Rows where the released `refusal` column disagrees with the phrase rule (null: no column). */
  readonly refusalColumnDisagreements: number | null;
}

export interface StudyImport {
  readonly rows: AnalysisRow[];
  readonly files: ImportFileReport[];
  readonly warnings: string[];
}

const FILE_RE = /^([a-z]+)_(.+)_outputs\.csv$/;

/** True when `dir` looks like the released layout (has <model>/original/*_original_outputs.csv). */
export function isStudyLayout(dir: string): boolean {
  try {
    return readdirSync(dir).some((m) => {
      const orig = path.join(dir, m, REFERENCE_VARIANT);
      return (
        statSync(orig, { throwIfNoEntry: false })?.isDirectory() === true &&
        readdirSync(orig).some((f) => FILE_RE.test(f))
      );
    });
  } catch {
    return false;
  }
}

const recordSchema = z.record(z.string(), z.string());

export function importStudy(root: string, opts: ImportOptions = {}): StudyImport {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DataError(
      root,
      undefined,
      "expected a directory in the study's layout <model>/<variant>/<task>_<variant>_outputs.csv",
    );
  }
  const files: { file: string; model: string; variant: string; dataset: StudyTask }[] = [];
  for (const model of readdirSync(root).sort()) {
    const mdir = path.join(root, model);
    if (!statSync(mdir).isDirectory()) continue;
    for (const variant of readdirSync(mdir).sort()) {
      const vdir = path.join(mdir, variant);
      if (!statSync(vdir).isDirectory()) continue;
      for (const f of readdirSync(vdir).sort()) {
        const m = FILE_RE.exec(f);
        if (!m || m[2] !== variant) continue;
        if (!(STUDY_TASKS as readonly string[]).includes(m[1]!)) {
          throw new DataError(
            path.join(vdir, f),
            undefined,
            `unknown task '${m[1]}': expected one of ${STUDY_TASKS.join(", ")}`,
          );
        }
        files.push({ file: path.join(vdir, f), model, variant, dataset: m[1] as StudyTask });
      }
    }
  }
  if (files.length === 0) {
    throw new DataError(
      root,
      undefined,
      "no <model>/<variant>/<task>_<variant>_outputs.csv files found",
    );
  }
  const treatments = [
    ...new Set(files.map((f) => f.variant).filter((v) => v !== REFERENCE_VARIANT)),
  ].sort();
  const warnings: string[] = [];
  if (treatments.length === 0)
    warnings.push("no treatment variant folders (only 'original'): nothing to compare");

  const rows: AnalysisRow[] = [];
  const reports: ImportFileReport[] = [];
  for (const f of files) {
    const { rows: fileRows, report } = readStudyFile(f.file, f.model, f.variant, f.dataset, opts);
    reports.push({ ...report, file: path.relative(root, f.file) });
    // Reference rows belong to every comparison of their model.
    const comparisons = f.variant === REFERENCE_VARIANT ? treatments : [f.variant];
    for (const comparison of comparisons) for (const r of fileRows) rows.push({ ...r, comparison });
  }
  for (const t of treatments) {
    for (const model of new Set(files.map((f) => f.model))) {
      const has = (v: string) => files.some((f) => f.model === model && f.variant === v);
      if (has(t) && !has(REFERENCE_VARIANT))
        warnings.push(`${model}: '${t}' files but no 'original' files`);
    }
  }
  return { rows, files: reports, warnings };
}

function readStudyFile(
  file: string,
  model: string,
  variant: string,
  dataset: StudyTask,
  opts: ImportOptions,
): { rows: Omit<AnalysisRow, "comparison">[]; report: ImportFileReport } {
  let records: Record<string, string>[];
  try {
    records = z
      .array(recordSchema)
      .parse(parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true }));
  } catch (e) {
    throw new DataError(
      file,
      undefined,
      `expected a CSV with a header row (${(e as Error).message})`,
    );
  }
  const header = records.length > 0 ? Object.keys(records[0]!) : [];
  const promptCol = header.includes("prompt_type") ? "prompt_type" : "prompt_template";
  const keyCol = ITEM_KEY[dataset];
  for (const col of [keyCol, "amendment_type", promptCol, "output", "evaluation"]) {
    if (records.length > 0 && !header.includes(col)) {
      throw new DataError(
        file,
        `column ${col}`,
        `missing; ${dataset} files need ${keyCol}, amendment_type, prompt_type (or prompt_template), output and evaluation`,
      );
    }
  }
  const useGroundFalse = dataset === "disinfo" && header.includes("ground_false");
  const hasRefusalCol = header.includes("refusal");
  if (opts.refusals === "column" && !hasRefusalCol) {
    throw new DataError(
      file,
      "column refusal",
      "missing, but refusals were asked to come from the released column",
    );
  }
  const seen = new Set<string>();
  const rows: Omit<AnalysisRow, "comparison">[] = [];
  let duplicates = 0;
  let refusals = 0;
  let dropped = 0;
  let disagreements = 0;
  records.forEach((rec, i) => {
    const where = (col: string) => `data row ${i + 1}, column ${col}`;
    const item = rec[keyCol]!.trim();
    const amendment = rec.amendment_type!.trim();
    const prompt = rec[promptCol]!.trim();
    const key = [
      item,
      amendment,
      prompt,
      useGroundFalse ? (rec.ground_false ?? "").trim() : "",
    ].join("\u0000");
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    seen.add(key);
    if (item === "") throw new DataError(file, where(keyCol), "an item key (non-empty)");
    if (!(CONTEXTS as readonly string[]).includes(amendment)) {
      throw new DataError(
        file,
        where("amendment_type"),
        `one of ${CONTEXTS.join(", ")}; got '${amendment}'`,
      );
    }
    if (!(BELIEFS as readonly string[]).includes(prompt) || studyPromptGroup(prompt) === null) {
      throw new DataError(file, where(promptCol), `one of ${BELIEFS.join(", ")}; got '${prompt}'`);
    }
    const output = rec.output!;
    const phraseRefusal = isRefusal(output);
    let refusal = phraseRefusal;
    if (hasRefusalCol) {
      const v = rec.refusal!.trim();
      if (v !== "0" && v !== "1") throw new DataError(file, where("refusal"), `0 or 1; got '${v}'`);
      if ((v === "1") !== phraseRefusal) disagreements++;
      if (opts.refusals === "column") refusal = v === "1";
    }
    let evaluation = rec.evaluation!.trim().toUpperCase();
    if (refusal) {
      refusals++;
      if (dataset !== "disinfo") {
        dropped++;
        return;
      }
      evaluation = "CORRECT";
    }
    if (evaluation !== "CORRECT" && evaluation !== "INCORRECT" && !opts.lenientEvaluation) {
      throw new DataError(
        file,
        where("evaluation"),
        `CORRECT or INCORRECT; got '${rec.evaluation}' (use lenient evaluation to count it as correct, as the authors did)`,
      );
    }
    rows.push({
      model,
      is_finetuned: variant === REFERENCE_VARIANT ? 0 : 1,
      dataset,
      item_id: item,
      amendment_type: amendment as AnalysisRow["amendment_type"],
      amendment_group: amendmentGroupOf(amendment as AnalysisRow["amendment_type"]),
      prompt_type: prompt as AnalysisRow["prompt_type"],
      prompt_group: studyPromptGroup(prompt)!,
      sample: 0,
      is_incorrect: evaluation === "INCORRECT" ? 1 : 0,
      response_length: codePointLength(output),
    });
  });
  return {
    rows,
    report: {
      file,
      model,
      variant,
      dataset,
      rows: records.length,
      duplicates,
      refusals,
      dropped,
      kept: rows.length,
      refusalColumnDisagreements: hasRefusalCol ? disagreements : null,
    },
  };
}
