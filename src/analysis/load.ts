/**
 * Where analysis rows come from, decided from the path the user gave:
 *  - a candor run directory (contains run.sqlite) → the store's rows;
 *  - a directory in the study's released layout → importStudy;
 *  - a .csv file → the normalised analysis-rows CSV (import-study --out).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { CandorError, DataError } from "../errors.js";
import type { Frame } from "../stats/frame.js";
import { readRowsCsv } from "./rows-csv.js";
import {
  type ImportOptions,
  importStudyFrame,
  isStudyLayout,
  type StudyImportReport,
} from "./study-import.js";

export type AnalysisSource =
  | { readonly kind: "run"; readonly dir: string }
  | { readonly kind: "study"; readonly dir: string }
  | { readonly kind: "rows-csv"; readonly file: string }
  /** One of the study's published per-cell summary tables (summary_data/results_*.csv). */
  | { readonly kind: "summary"; readonly file: string };

export function detectSource(p: string): AnalysisSource {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) throw new DataError(p, undefined, "no such file or directory");
  if (st.isDirectory()) {
    if (existsSync(path.join(p, "run.sqlite"))) return { kind: "run", dir: p };
    if (isStudyLayout(p)) return { kind: "study", dir: p };
    throw new DataError(
      p,
      undefined,
      "a candor run directory (with run.sqlite) or the study's layout <model>/original|warm/<task>_<variant>_outputs.csv",
    );
  }
  if (p.toLowerCase().endsWith(".csv")) {
    return firstLine(p).includes("Test_Type")
      ? { kind: "summary", file: p }
      : { kind: "rows-csv", file: p };
  }
  throw new DataError(
    p,
    undefined,
    "a run directory, a study-layout directory or an analysis-rows .csv file",
  );
}

function firstLine(file: string): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8").split("\n")[0] ?? "";
  } finally {
    closeSync(fd);
  }
}

export interface LoadOptions extends ImportOptions {
  /** Judge whose verdicts a candor run should use (default: the store's choice). */
  readonly judge?: string;
}

export interface Loaded {
  readonly source: AnalysisSource;
  readonly frame: Frame;
  /** Present for study-layout imports: per-file counts of refusals, duplicates… */
  readonly import?: StudyImportReport;
}

type RunLoader = (runDir: string, opts?: { judge?: string }) => Frame;

/**
 * The store owns reading run.sqlite; it is imported lazily (and by a computed
 * specifier) so analysis does not depend on the store at build time.
 */
async function runLoader(): Promise<RunLoader> {
  const specifier = "../store/analysis-rows.js";
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (e) {
    throw new CandorError(
      `reading candor runs needs src/store/analysis-rows (${(e as Error).message})`,
    );
  }
  const fn = (mod as { loadAnalysisRowsFrame?: unknown }).loadAnalysisRowsFrame;
  if (typeof fn !== "function")
    throw new Error("store/analysis-rows.js does not export loadAnalysisRowsFrame");
  return fn as RunLoader;
}

export async function loadAnalysisFrame(p: string, opts: LoadOptions = {}): Promise<Loaded> {
  const source = detectSource(p);
  if (source.kind === "summary") {
    throw new DataError(
      p,
      undefined,
      "per-response rows, not a published summary table (see reproduceSummary)",
    );
  }
  if (source.kind === "rows-csv") return { source, frame: readRowsCsv(source.file) };
  if (source.kind === "study") {
    const { frame, ...report } = importStudyFrame(source.dir, opts);
    return { source, frame, import: report };
  }
  // The store streams rows into columns and checks each field as it reads it.
  const load = await runLoader();
  return { source, frame: load(source.dir, opts.judge ? { judge: opts.judge } : {}) };
}
