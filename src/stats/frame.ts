/**
 * Columnar data for model fitting. Rows are never materialised as objects:
 * categorical columns hold integer codes into a level list, numeric columns hold
 * a Float64Array. At the study's scale (≈585k rows) this keeps memory to a few
 * bytes per cell and lets the design builder read codes directly.
 */

export interface CategoricalColumn {
  readonly kind: "categorical";
  /** codes[i] indexes `levels`; levels are in first-seen order, not sorted. */
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

export interface NumericColumn {
  readonly kind: "numeric";
  readonly values: Float64Array;
}

export type Column = CategoricalColumn | NumericColumn;

export interface Frame {
  readonly n: number;
  readonly columns: ReadonlyMap<string, Column>;
}

/** Builds a categorical column from strings (small data, tests, store rows). */
export function categorical(values: readonly string[]): CategoricalColumn {
  const index = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let c = index.get(v);
    if (c === undefined) {
      c = levels.length;
      index.set(v, c);
      levels.push(v);
    }
    codes[i] = c;
  }
  return { kind: "categorical", codes, levels };
}

export function numeric(values: ArrayLike<number>): NumericColumn {
  return { kind: "numeric", values: Float64Array.from(values) };
}

/** Assembles a frame, checking that every column has the same length. */
export function makeFrame(columns: Record<string, Column>): Frame {
  let n = -1;
  const map = new Map<string, Column>();
  for (const [name, col] of Object.entries(columns)) {
    const len = col.kind === "categorical" ? col.codes.length : col.values.length;
    if (n === -1) n = len;
    else if (len !== n) throw new RangeError(`column ${name} has ${len} rows, expected ${n}`);
    map.set(name, col);
  }
  return { n: Math.max(n, 0), columns: map };
}

export function getColumn(frame: Frame, name: string): Column {
  const col = frame.columns.get(name);
  if (!col) throw new RangeError(`no column named ${name}`);
  return col;
}

export function getCategorical(frame: Frame, name: string): CategoricalColumn {
  const col = getColumn(frame, name);
  if (col.kind !== "categorical") throw new RangeError(`column ${name} is not categorical`);
  return col;
}

export function getNumeric(frame: Frame, name: string): NumericColumn {
  const col = getColumn(frame, name);
  if (col.kind !== "numeric") throw new RangeError(`column ${name} is not numeric`);
  return col;
}

/** Indices of all rows: the default row selection. */
export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Rows (from `rows`, in order) whose categorical `column` takes one of `levels`. */
export function selectRows(
  frame: Frame,
  rows: Int32Array,
  column: string,
  levels: readonly string[],
): Int32Array {
  const col = getCategorical(frame, column);
  const keep = new Uint8Array(col.levels.length);
  for (let c = 0; c < col.levels.length; c++) keep[c] = levels.includes(col.levels[c]!) ? 1 : 0;
  let count = 0;
  for (let k = 0; k < rows.length; k++) if (keep[col.codes[rows[k]!]!]) count++;
  const out = new Int32Array(count);
  let j = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (keep[col.codes[r]!]) out[j++] = r;
  }
  return out;
}

/** Levels of a categorical column that actually occur among `rows`, in first-seen order. */
export function presentLevels(col: CategoricalColumn, rows: Int32Array): string[] {
  const seen = new Uint8Array(col.levels.length);
  for (let k = 0; k < rows.length; k++) seen[col.codes[rows[k]!]!] = 1;
  return col.levels.filter((_, c) => seen[c] === 1);
}
