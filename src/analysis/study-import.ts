/**
 * Reads the study's released per-response layout
 *   <root>/<model>/<variant>/<task>_<variant>_outputs.csv
 * where variant "original" is the reference subject and any other variant
 * ("warm", "cold", …) a treatment, and turns it into AnalysisRows with the
 * authors' conventions (study-rules.ts). Every file is validated at the
 * boundary — its header once, then each needed field as it is read (no
 * per-record schema) — and a bad row raises a DataError naming file, row and
 * column. Files are read one at a time and rows go to a sink: an AnalysisRow
 * list (`importStudy`) or, for analysis at scale, straight into frame columns
 * (`importStudyFrame`), so 585k responses are never 585k objects at once.
 * A file's own `response_length` column is used when present; otherwise the
 * length is the output's code-point count, as in the authors' code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { DataError } from "../errors.js";
import type { Frame } from "../stats/frame.js";
import { BELIEFS, CONTEXTS } from "../types.js";
import { CsvShapeError, scanCsv } from "./csv-scan.js";
import { FrameBuilder } from "./frame-builder.js";
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

export interface StudyImportReport {
  readonly files: ImportFileReport[];
  readonly warnings: string[];
}

export interface StudyImport extends StudyImportReport {
  readonly rows: AnalysisRow[];
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

type StudyRow = Omit<AnalysisRow, "comparison">;
/** Receives each kept row once, with the comparisons it belongs to. */
type RowSink = (row: StudyRow, comparisons: readonly string[]) => void;

export interface StudyFrameImport extends StudyImportReport {
  readonly frame: Frame;
}

export function importStudy(root: string, opts: ImportOptions = {}): StudyImport {
  const rows: AnalysisRow[] = [];
  const scan = scanStudy(root, opts, (r, comparisons) => {
    for (const comparison of comparisons) rows.push({ ...r, comparison });
  });
  return { rows, ...scan };
}

/** The same import straight into frame columns (what `analyze <study dir>` uses). */
export function importStudyFrame(root: string, opts: ImportOptions = {}): StudyFrameImport {
  const b = new FrameBuilder();
  const scan = scanStudy(root, opts, (r, comparisons) => {
    const rec = {
      ...r,
      comparison: "",
      is_finetuned: r.is_finetuned === 1 ? "1" : "0",
      sample: String(r.sample),
    };
    for (const comparison of comparisons) {
      rec.comparison = comparison;
      b.add(rec);
    }
  });
  return { frame: b.build(), ...scan };
}

function scanStudy(
  root: string,
  opts: ImportOptions,
  sink: RowSink,
): { files: ImportFileReport[]; warnings: string[] } {
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

  const reports: ImportFileReport[] = [];
  for (const f of files) {
    // Reference rows belong to every comparison of their model.
    const comparisons = f.variant === REFERENCE_VARIANT ? treatments : [f.variant];
    const report = readStudyFile(f.file, f.model, f.variant, f.dataset, opts, (r) =>
      sink(r, comparisons),
    );
    const rel = path.relative(root, f.file);
    const { empty, ...counts } = report;
    reports.push({ ...counts, file: rel });
    if (empty === "empty") warnings.push(`${rel}: empty file (no header, no rows)`);
    if (empty === "header-only") warnings.push(`${rel}: header only, no data rows`);
  }
  for (const t of treatments) {
    for (const model of new Set(files.map((f) => f.model))) {
      const has = (v: string) => files.some((f) => f.model === model && f.variant === v);
      if (has(t) && !has(REFERENCE_VARIANT))
        warnings.push(`${model}: '${t}' files but no 'original' files`);
    }
  }
  return { files: reports, warnings };
}

function refusalColumnMissing(file: string): never {
  throw new DataError(
    file,
    "column refusal",
    "missing, but refusals were asked to come from the released column",
  );
}

/** Location of a field in error messages (a function, not a per-row closure: this loop is hot). */
function cell(i: number, col: string): string {
  return `data row ${i + 1}, column ${col}`;
}

const CONTEXT_SET: ReadonlySet<string> = new Set(CONTEXTS);
const BELIEF_SET: ReadonlySet<string> = new Set(BELIEFS);

function readStudyFile(
  file: string,
  model: string,
  variant: string,
  dataset: StudyTask,
  opts: ImportOptions,
  emit: (row: StudyRow) => void,
): ImportFileReport & { empty: "empty" | "header-only" | null } {
  // Records are handled as they are scanned, never collected: a file's fields stay
  // short-lived (cheap young-generation garbage), and only the rules' columns are decoded.
  const keyCol = ITEM_KEY[dataset];
  let header: string[] = [];
  let needed = new Set<number>();
  let promptCol = "prompt_type";
  let iKey = -1;
  let iAmend = -1;
  let iPrompt = -1;
  let iOutput = -1;
  let iEval = -1;
  let iRefusal = -1;
  let iGroundFalse = -1;
  let iLength = -1;
  let useGroundFalse = false;
  let hasRefusalCol = false;
  const setup = (names: string[]) => {
    header = names.map((h) => h.trim());
    const colIndex = new Map(header.map((h, i) => [h, i]));
    const use = [keyCol, "amendment_type", "prompt_type", "prompt_template"];
    use.push("output", "evaluation", "refusal", "ground_false", "response_length");
    needed = new Set(header.flatMap((h, i) => (use.includes(h) ? [i] : [])));
    promptCol = colIndex.has("prompt_type") ? "prompt_type" : "prompt_template";
    const at = (col: string) => colIndex.get(col) ?? -1;
    iKey = at(keyCol);
    iAmend = at("amendment_type");
    iPrompt = at(promptCol);
    iOutput = at("output");
    iEval = at("evaluation");
    iRefusal = at("refusal");
    iGroundFalse = at("ground_false");
    iLength = at("response_length");
    useGroundFalse = dataset === "disinfo" && iGroundFalse >= 0;
    hasRefusalCol = iRefusal >= 0;
  };
  /** Checked at the first data row: a header-only file needs none of these columns. */
  const requireColumns = () => {
    for (const col of [keyCol, "amendment_type", promptCol, "output", "evaluation"]) {
      if (!header.includes(col)) {
        throw new DataError(
          file,
          `column ${col}`,
          `missing; ${dataset} files need ${keyCol}, amendment_type, prompt_type (or prompt_template), output and evaluation`,
        );
      }
    }
  };
  const seen = new Set<string>();
  let records = 0;
  let nData = 0;
  let kept = 0;
  let duplicates = 0;
  let refusals = 0;
  let dropped = 0;
  let disagreements = 0;
  const row = (rec: string[], i: number): void => {
    if (rec.length !== header.length) {
      throw new DataError(file, `data row ${i + 1}`, `${header.length} fields; got ${rec.length}`);
    }
    const item = rec[iKey]!.trim();
    const amendment = rec[iAmend]!.trim();
    const prompt = rec[iPrompt]!.trim();
    const key = `${item}\u0000${amendment}\u0000${prompt}\u0000${useGroundFalse ? rec[iGroundFalse]!.trim() : ""}`;
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    seen.add(key);
    if (item === "") throw new DataError(file, cell(i, keyCol), "an item key (non-empty)");
    if (!CONTEXT_SET.has(amendment)) {
      throw new DataError(
        file,
        cell(i, "amendment_type"),
        `one of ${CONTEXTS.join(", ")}; got '${amendment}'`,
      );
    }
    if (!BELIEF_SET.has(prompt) || studyPromptGroup(prompt) === null) {
      throw new DataError(
        file,
        cell(i, promptCol),
        `one of ${BELIEFS.join(", ")}; got '${prompt}'`,
      );
    }
    const output = rec[iOutput]!;
    const phraseRefusal = isRefusal(output);
    let refusal = phraseRefusal;
    if (hasRefusalCol) {
      const v = rec[iRefusal]!.trim();
      if (v !== "0" && v !== "1")
        throw new DataError(file, cell(i, "refusal"), `0 or 1; got '${v}'`);
      if ((v === "1") !== phraseRefusal) disagreements++;
      if (opts.refusals === "column") refusal = v === "1";
    }
    let evaluation = rec[iEval]!.trim().toUpperCase();
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
        cell(i, "evaluation"),
        `CORRECT or INCORRECT; got '${rec[iEval]}' (use lenient evaluation to count it as correct, as the authors did)`,
      );
    }
    let responseLength = 0;
    if (iLength >= 0) {
      const raw = rec[iLength]!.trim();
      responseLength = Number(raw);
      if (raw === "" || !Number.isInteger(responseLength) || responseLength < 0)
        throw new DataError(
          file,
          cell(i, "response_length"),
          `a non-negative integer; got '${raw}'`,
        );
    } else {
      responseLength = codePointLength(output);
    }
    kept++;
    emit({
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
      response_length: responseLength,
    });
  };
  try {
    scanCsv(
      readFileSync(file),
      (fields, index) => {
        records++;
        if (index === 0) {
          setup(fields);
          if (opts.refusals === "column" && !hasRefusalCol) refusalColumnMissing(file);
          return;
        }
        if (index === 1) requireColumns();
        nData++;
        row(fields, index - 1);
      },
      (i) => needed.has(i),
    );
  } catch (e) {
    if (e instanceof DataError) throw e;
    const where = e instanceof CsvShapeError ? `data row ${e.record}` : undefined;
    throw new DataError(
      file,
      where,
      `a well-formed CSV with a header row (${(e as Error).message})`,
    );
  }
  if (records === 0 && opts.refusals === "column") refusalColumnMissing(file);
  return {
    file,
    model,
    variant,
    dataset,
    rows: nData,
    duplicates,
    refusals,
    dropped,
    kept,
    refusalColumnDisagreements: hasRefusalCol ? disagreements : null,
    empty: records === 0 ? "empty" : nData === 0 ? "header-only" : null,
  };
}
