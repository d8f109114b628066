/**
 * The study's full analysis over a frame of AnalysisRows: per comparison
 * (warm, cold, …), the requested Models 1–4 and the per-cell paired table.
 * One model failing (no rows, say) is reported and does not stop the others.
 */
import type { AuditConfigInput } from "../config/schema.js";
import { runDirOfConfig } from "../config/source.js";
import type { Column, Frame } from "../stats/frame.js";
import { allRows, getCategorical, presentLevels, selectRows } from "../stats/frame.js";
import { type CellRow, type CellTableOptions, cellTable } from "./cell-table.js";
import { type DifferenceRow, errorRateDifferences } from "./differences.js";
import { type CovType, fitStudyModel, type ModelResult } from "./fit-model.js";
import type { ModelId } from "./models.js";
import { patternsFromFrame } from "./patterns.js";

export interface AnalyzeOptions {
  readonly models?: readonly ModelId[];
  readonly covType?: CovType;
  readonly level?: number;
  /** false to skip the per-cell table. */
  readonly cells?: CellTableOptions | false;
  /** Analyse only these comparisons (default: all present). */
  readonly comparisons?: readonly string[];
  /** Bootstrap replicates for the raw error-rate differences (0 skips them). */
  readonly bootstrapReplicates?: number;
  readonly seed?: number;
}

export interface ModelFailure {
  readonly id: ModelId;
  readonly error: string;
}

export interface ComparisonAnalysis {
  readonly comparison: string;
  readonly rows: number;
  readonly models: readonly (ModelResult | ModelFailure)[];
  readonly cells: readonly CellRow[];
  readonly duplicatePairs: number;
  /** Raw error-rate differences per model and belief group, paired cluster bootstrap CIs. */
  readonly differences: readonly DifferenceRow[];
}

export interface Analysis {
  readonly comparisons: readonly ComparisonAnalysis[];
}

export const DEFAULT_MODELS: readonly ModelId[] = ["model1", "model2", "model3", "model4"];

export function isFailure(m: ModelResult | ModelFailure): m is ModelFailure {
  return "error" in m;
}

export function analyzeFrame(frame: Frame, opts: AnalyzeOptions = {}): Analysis {
  const present = presentLevels(getCategorical(frame, "comparison"), allRows(frame.n));
  const wanted = opts.comparisons ? present.filter((c) => opts.comparisons!.includes(c)) : present;
  const comparisons: ComparisonAnalysis[] = [];
  for (const comparison of wanted.sort()) {
    const rows = selectRows(frame, allRows(frame.n), "comparison", [comparison]);
    // One pass over the rows; every categorical model then fits on the patterns.
    const patterns = patternsFromFrame(frame, rows);
    const models = (opts.models ?? DEFAULT_MODELS).map((id): ModelResult | ModelFailure => {
      try {
        return fitStudyModel(patterns, id, {
          ...(opts.covType ? { covType: opts.covType } : {}),
          ...(opts.level ? { level: opts.level } : {}),
        });
      } catch (e) {
        return { id, error: (e as Error).message };
      }
    });
    let cells: CellRow[] = [];
    let duplicatePairs = 0;
    if (opts.cells !== false) {
      const sub = subFrame(frame, rows);
      const t = cellTable(sub, opts.cells ?? {});
      cells = t.cells;
      duplicatePairs = t.duplicates;
    }
    const reps = opts.bootstrapReplicates ?? 2000;
    const differences =
      reps > 0
        ? errorRateDifferences(frame, {
            rows,
            replicates: reps,
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            ...(opts.level ? { level: opts.level } : {}),
          })
        : [];
    comparisons.push({ comparison, rows: rows.length, models, cells, duplicatePairs, differences });
  }
  return { comparisons };
}

/** Rows of a frame as a new frame (codes copied, levels shared). */
function subFrame(frame: Frame, rows: Int32Array): Frame {
  const columns = new Map<string, Column>();
  for (const [name, col] of frame.columns) {
    if (col.kind === "categorical") {
      const codes = new Int32Array(rows.length);
      for (let k = 0; k < rows.length; k++) codes[k] = col.codes[rows[k]!]!;
      columns.set(name, { kind: "categorical", codes, levels: col.levels });
    } else {
      const values = new Float64Array(rows.length);
      for (let k = 0; k < rows.length; k++) values[k] = col.values[rows[k]!]!;
      columns.set(name, { kind: "numeric", values });
    }
  }
  return { n: rows.length, columns };
}

/**
 * Library entry: load a candor run, a study-layout directory or an analysis-rows
 * CSV and fit the study's models. An audit config (object) stands for the run it writes
 * (its `output`, relative to `baseDir`). `candor analyze` is this plus formatting.
 */
export async function analyze(
  source: string | AuditConfigInput,
  opts: AnalyzeOptions & { judge?: string; baseDir?: string } = {},
): Promise<Analysis> {
  const { loadAnalysisFrame } = await import("./load.js");
  const path = typeof source === "string" ? source : runDirOfConfig(source, opts.baseDir);
  const loaded = await loadAnalysisFrame(
    path,
    opts.judge !== undefined ? { judge: opts.judge } : {},
  );
  return analyzeFrame(loaded.frame, opts);
}
