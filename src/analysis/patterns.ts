/**
 * Sufficient statistics for the study's categorical models. Models 1–4 have
 * only categorical covariates, so a fit depends on the data only through the
 * number of rows and of errors in each covariate pattern, and the item-clustered
 * covariance only through those counts per pattern × item. A PatternTable
 * holds exactly that: a few hundred patterns (a Frame whose rows are patterns)
 * plus one entry per pattern × item, built in one pass from rows, a stream of
 * CSV records or an SQL GROUP BY. Fitting then costs patterns, not rows.
 */
import {
  allRows,
  type CategoricalColumn,
  type Frame,
  getCategorical,
  getNumeric,
  makeFrame,
} from "../stats/frame.js";

/** Covariates a pattern is made of: everything the models and their effects select on. */
export const PATTERN_COLUMNS = [
  "comparison",
  "model",
  "is_finetuned",
  "dataset",
  "amendment_type",
  "amendment_group",
  "prompt_type",
  "prompt_group",
] as const;
export type PatternColumn = (typeof PATTERN_COLUMNS)[number];

export interface PatternCells {
  /** Pattern (row of the pattern frame) of each entry. */
  readonly pattern: Int32Array;
  /** Item cluster (dataset × item) of each entry, 0 ≤ cluster < nClusters. */
  readonly cluster: Int32Array;
  readonly count: Float64Array;
  readonly successes: Float64Array;
}

export interface PatternTable {
  readonly kind: "patterns";
  /** One row per covariate pattern; categorical PATTERN_COLUMNS. */
  readonly frame: Frame;
  /** Rows (responses) per pattern. */
  readonly counts: Float64Array;
  /** Incorrect responses per pattern. */
  readonly successes: Float64Array;
  readonly cells: PatternCells;
  readonly nClusters: number;
  /**
   * The row-level frame, kept only where a model with a numeric covariate
   * (response length) may need it; null when the source was aggregated.
   */
  readonly rowFrame: { readonly frame: Frame; readonly rows: Int32Array } | null;
}

export function isPatternTable(x: Frame | PatternTable): x is PatternTable {
  return "kind" in x && x.kind === "patterns";
}

class GrowArray {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): number {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  view(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Accumulates patterns and pattern × item cells one response at a time
 * (streaming import, store rows) or one pre-aggregated cell at a time (SQL).
 */
export class PatternBuilder {
  private readonly levels = PATTERN_COLUMNS.map(() => new Map<string, number>());
  private readonly patternCodes: number[][] = [];
  private readonly patternIndex = new Map<string, number>();
  private readonly clusterIndex = new Map<string, number>();
  private readonly cellIndex = new Map<number, number>();
  private readonly cellPattern = new GrowArray();
  private readonly cellCluster = new GrowArray();
  private readonly cellCount = new GrowArray();
  private readonly cellSuccesses = new GrowArray();
  private readonly counts = new GrowArray(256);
  private readonly successes = new GrowArray(256);

  /**
   * `distinctCells`: the caller adds each pattern × item once (an SQL GROUP BY), so
   * cells are appended without a lookup map. Were one added twice, its two entries
   * would still sum into the same cluster, so the covariance would not change.
   */
  constructor(private readonly opts: { distinctCells?: boolean } = {}) {}

  /** Adds `count` responses of one pattern and item, `successes` of them incorrect. */
  add(
    values: Readonly<Record<PatternColumn, string>>,
    cluster: string,
    count: number,
    successes: number,
  ): void {
    const codes = PATTERN_COLUMNS.map((c, k) => {
      const map = this.levels[k]!;
      const v = values[c];
      let code = map.get(v);
      if (code === undefined) {
        code = map.size;
        map.set(v, code);
      }
      return code;
    });
    const key = codes.join(",");
    let p = this.patternIndex.get(key);
    if (p === undefined) {
      p = this.patternCodes.length;
      this.patternIndex.set(key, p);
      this.patternCodes.push(codes);
      this.counts.push(0);
      this.successes.push(0);
    }
    this.counts.data[p]! += count;
    this.successes.data[p]! += successes;
    let g = this.clusterIndex.get(cluster);
    if (g === undefined) {
      g = this.clusterIndex.size;
      this.clusterIndex.set(cluster, g);
    }
    // < 2^21 patterns × 2^31 clusters stays below 2^53.
    const cellKey = p * 2 ** 31 + g;
    let e = this.opts.distinctCells ? undefined : this.cellIndex.get(cellKey);
    if (e === undefined) {
      e = this.cellPattern.push(p);
      this.cellCluster.push(g);
      this.cellCount.push(0);
      this.cellSuccesses.push(0);
      if (!this.opts.distinctCells) this.cellIndex.set(cellKey, e);
    }
    this.cellCount.data[e]! += count;
    this.cellSuccesses.data[e]! += successes;
  }

  get rows(): number {
    let s = 0;
    for (let i = 0; i < this.counts.length; i++) s += this.counts.data[i]!;
    return s;
  }

  build(): PatternTable {
    const n = this.patternCodes.length;
    const columns: Record<string, CategoricalColumn> = {};
    PATTERN_COLUMNS.forEach((c, k) => {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = this.patternCodes[i]![k]!;
      columns[c] = { kind: "categorical", codes, levels: [...this.levels[k]!.keys()] };
    });
    return {
      kind: "patterns",
      frame: makeFrame(columns),
      counts: this.counts.view(),
      successes: this.successes.view(),
      cells: {
        pattern: Int32Array.from(this.cellPattern.view()),
        cluster: Int32Array.from(this.cellCluster.view()),
        count: this.cellCount.view(),
        successes: this.cellSuccesses.view(),
      },
      nClusters: this.clusterIndex.size,
      rowFrame: null,
    };
  }
}

/**
 * Patterns of a row-level frame (restricted to `rows`). Works on integer codes
 * with a numeric pattern key, no per-row strings or maps: one pass over the
 * rows. The pattern × item entries are the rows themselves (count 1 each) —
 * the clustered covariance regroups them in its own single pass.
 */
export function patternsFromFrame(frame: Frame, rows: Int32Array = allRows(frame.n)): PatternTable {
  const cols = PATTERN_COLUMNS.map((c) => getCategorical(frame, c));
  const ds = getCategorical(frame, "dataset");
  const item = getCategorical(frame, "item_id");
  const y = getNumeric(frame, "is_incorrect").values;
  const radix = cols.map((c) => Math.max(c.levels.length, 1));
  const space = radix.reduce((a, b) => a * b, 1);
  // Dense lookup when the pattern space is small (always, for the study's labels).
  const dense = space <= 1 << 22 ? new Int32Array(space).fill(-1) : null;
  const sparse = dense ? null : new Map<number, number>();
  const patternRow: number[] = [];
  const counts = new GrowArray(256);
  const successes = new GrowArray(256);
  const clusterCode = new Int32Array(ds.levels.length * item.levels.length).fill(-1);
  let nClusters = 0;
  const cellPattern = new Int32Array(rows.length);
  const cellCluster = new Int32Array(rows.length);
  const cellSuccesses = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    let key = 0;
    for (let c = 0; c < cols.length; c++) key = key * radix[c]! + cols[c]!.codes[r]!;
    let p = dense ? dense[key]! : (sparse!.get(key) ?? -1);
    if (p < 0) {
      p = patternRow.length;
      if (dense) dense[key] = p;
      else sparse!.set(key, p);
      patternRow.push(r);
      counts.push(0);
      successes.push(0);
    }
    const yi = y[r]!;
    counts.data[p]! += 1;
    successes.data[p]! += yi;
    const ck = ds.codes[r]! * item.levels.length + item.codes[r]!;
    let g = clusterCode[ck]!;
    if (g < 0) {
      g = nClusters++;
      clusterCode[ck] = g;
    }
    cellPattern[k] = p;
    cellCluster[k] = g;
    cellSuccesses[k] = yi;
  }
  const columns: Record<string, CategoricalColumn> = {};
  PATTERN_COLUMNS.forEach((c, k) => {
    const src = cols[k]!;
    const codes = new Int32Array(patternRow.length);
    for (let i = 0; i < patternRow.length; i++) codes[i] = src.codes[patternRow[i]!]!;
    columns[c] = { kind: "categorical", codes, levels: src.levels };
  });
  return {
    kind: "patterns",
    frame: makeFrame(columns),
    counts: counts.view(),
    successes: successes.view(),
    cells: {
      pattern: cellPattern,
      cluster: cellCluster,
      count: new Float64Array(rows.length).fill(1),
      successes: cellSuccesses,
    },
    nClusters,
    rowFrame: { frame, rows },
  };
}
