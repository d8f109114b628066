/**
 * What a study model is fitted on: covariate patterns with counts, or single
 * responses, each with its item clusters for clustered standard errors.
 */
import { type Frame, getCategorical, getNumeric } from "../stats/frame.js";
import type { PatternTable } from "./patterns.js";

/** Dense cluster codes for (dataset, item_id) pairs among `rows`. */
export function itemClusters(frame: Frame, rows: Int32Array): Int32Array {
  const ds = getCategorical(frame, "dataset");
  const item = getCategorical(frame, "item_id");
  const index = new Map<number, number>();
  const out = new Int32Array(rows.length);
  const stride = item.levels.length;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const key = ds.codes[r]! * stride + item.codes[r]!;
    let c = index.get(key);
    if (c === undefined) {
      c = index.size;
      index.set(key, c);
    }
    out[k] = c;
  }
  return out;
}

/**
 * The data one fit runs on: design rows that are either covariate patterns
 * with counts (the categorical models) or single responses (a model with a
 * numeric covariate), with the responses grouped by item for clustered SEs.
 */
export interface FitData {
  readonly frame: Frame;
  readonly rows: Int32Array;
  /** Responses per frame row (null: one each). */
  readonly counts: Float64Array | null;
  /** Incorrect responses per frame row. */
  readonly successes: Float64Array;
  /** frame row × item aggregates, built only when a clustered covariance is asked for. */
  readonly cells: () => {
    row: Int32Array;
    cluster: Int32Array;
    count: ArrayLike<number>;
    successes: ArrayLike<number>;
  };
}

export function rowData(frame: Frame, rows: Int32Array): FitData {
  return {
    frame,
    rows,
    counts: null,
    successes: getNumeric(frame, "is_incorrect").values,
    cells: () => {
      const clusters = itemClusters(frame, rows);
      const y = getNumeric(frame, "is_incorrect").values;
      return {
        row: rows,
        cluster: clusters,
        count: new Float64Array(rows.length).fill(1),
        successes: Float64Array.from(rows, (r) => y[r]!),
      };
    },
  };
}

export function patternData(table: PatternTable, rows: Int32Array): FitData {
  return {
    frame: table.frame,
    rows,
    counts: table.counts,
    successes: table.successes,
    cells: () => ({
      row: table.cells.pattern,
      cluster: table.cells.cluster,
      count: table.cells.count,
      successes: table.cells.successes,
    }),
  };
}
