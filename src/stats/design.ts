/**
 * Model design: which columns a formula produces and how each row fills them.
 *
 * The coding reproduces patsy (the formula engine under statsmodels) exactly, so
 * that coefficient names, column order and the choice between full and reduced
 * (treatment) coding match the study's published output:
 *  - terms are bucketed by their numeric factors (pure-categorical bucket first)
 *    and, within a bucket, stably sorted by interaction degree;
 *  - for each term, patsy's redundancy algorithm (`pick_contrasts_for_term`)
 *    decides per factor whether it is coded with all levels (`[lvl]`) or with
 *    treatment contrasts against the reference (`[T.lvl]`). This is why the
 *    study's Model 4, which has `C(is_finetuned):C(prompt_type)` without a
 *    `C(prompt_type)` main effect, gets columns `[0]:[T.user_opinion]` and
 *    `[1]:[T.user_opinion]`;
 *  - in an interaction the left-most factor varies fastest.
 *
 * Rows are encoded sparsely: every subterm contributes at most one non-zero
 * column per row, so a row is a handful of (column, value) "slots". X'WX then
 * costs slots² per row instead of p², which is what makes a 585k-row fit fast.
 */
import { type Frame, getColumn, presentLevels } from "./frame.js";

export interface FactorSpec {
  readonly column: string;
  readonly kind: "categorical" | "numeric";
  /** Treatment reference level (categorical only); default: first level in sort order. */
  readonly reference?: string;
  /** Name used in coefficient labels; default mimics patsy (`C(col, Treatment(reference='x'))`). */
  readonly label?: string;
}

export interface ModelSpec {
  /** Factor name → definition. Terms refer to factors by these names. */
  readonly factors: Readonly<Record<string, FactorSpec>>;
  /** Each term is a list of factor names; `[a, b]` is the interaction a:b. */
  readonly terms: readonly (readonly string[])[];
  readonly intercept?: boolean;
}

/** Where a subterm's factor sits and how it is coded. */
interface CodedFactor {
  readonly name: string;
  readonly column: string;
  readonly kind: "categorical" | "numeric";
  /** Categorical: levels that get a column (all levels if full rank, else all but the reference). */
  readonly codedLevels: readonly string[];
  readonly fullRank: boolean;
}

interface SubtermInfo {
  readonly factors: readonly CodedFactor[];
  /** First design column of this subterm. */
  readonly offset: number;
  readonly width: number;
}

export interface DesignInfo {
  readonly names: readonly string[];
  readonly p: number;
  readonly intercept: boolean;
  readonly subterms: readonly SubtermInfo[];
  /** Sorted levels per categorical factor name, and its reference. */
  readonly levels: ReadonlyMap<string, { levels: readonly string[]; reference: string }>;
}

/** Row-sparse design matrix: `slots` (column, value) pairs per row; column −1 = empty slot. */
export interface SparseDesign {
  readonly n: number;
  readonly p: number;
  readonly slots: number;
  readonly col: Int32Array;
  /** null when every non-empty slot has value 1 (purely categorical design). */
  readonly val: Float64Array | null;
}

/** Replaces a column for every row, for counterfactual prediction. */
export type Override =
  | { readonly column: string; readonly level: string }
  | { readonly column: string; readonly add: number }
  | { readonly column: string; readonly value: number };

/** patsy sorts levels with Python's ordering: numbers numerically, strings by code point. */
export function sortLevels(levels: readonly string[]): string[] {
  const allInts = levels.every((l) => /^-?\d+$/.test(l));
  const copy = [...levels];
  if (allInts) return copy.sort((a, b) => Number(a) - Number(b));
  return copy.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function defaultLabel(f: FactorSpec): string {
  if (f.kind === "numeric") return f.column;
  if (f.reference === undefined) return `C(${f.column})`;
  const ref = /^-?\d+$/.test(f.reference) ? f.reference : `'${f.reference}'`;
  return `C(${f.column}, Treatment(reference=${ref}))`;
}

/** An expanded factor of patsy's redundancy algorithm: `name` coded with or without its reference. */
interface EFactor {
  readonly name: string;
  readonly full: boolean;
}
const efKey = (e: EFactor) => `${e.full ? "+" : "-"}${e.name}`;
const subtermKey = (s: readonly EFactor[]) => s.map(efKey).sort().join("|");

/** patsy `_subsets_sorted`: all subsets, shorter first, ties by original positions. */
function subsetsSorted(items: readonly string[]): string[][] {
  const idx = items.map((_, i) => i);
  const subsets: number[][] = [];
  for (let mask = 0; mask < 1 << idx.length; mask++) {
    subsets.push(idx.filter((i) => mask & (1 << i)));
  }
  subsets.sort((a, b) => {
    if (a.length !== b.length) return a.length - b.length;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
    return 0;
  });
  return subsets.map((s) => s.map((i) => items[i]!));
}

/** patsy `pick_contrasts_for_term`: which factors of each subterm keep their reference level. */
function pickContrasts(
  categoricalFactors: readonly string[],
  used: Set<string>,
): Map<string, boolean>[] {
  const subterms: EFactor[][] = [];
  for (const subset of subsetsSorted(categoricalFactors)) {
    const st = subset.map((name) => ({ name, full: false }));
    if (!used.has(subtermKey(st))) subterms.push(st);
  }
  for (const st of subterms) used.add(subtermKey(st));
  // Greedy left-to-right absorption, exactly as patsy's `_simplify_subterms`.
  let changed = true;
  while (changed) {
    changed = false;
    outer: for (let s = 0; s < subterms.length; s++) {
      for (let l = s + 1; l < subterms.length; l++) {
        const short = subterms[s]!;
        const long = subterms[l]!;
        const shortKeys = new Set(short.map(efKey));
        if (
          long.length - short.length === 1 &&
          short.every((e) => long.some((x) => efKey(x) === efKey(e)))
        ) {
          const extra = long.find((e) => !shortKeys.has(efKey(e)))!;
          subterms[l] = [...short, { name: extra.name, full: true }];
          subterms.splice(s, 1);
          changed = true;
          break outer;
        }
      }
    }
  }
  return subterms.map((st) => new Map(st.map((e) => [e.name, e.full])));
}

/**
 * Works out the design's columns from the rows it will be fitted on. Levels are
 * those present among `rows` (as patsy sees only the data it is given).
 */
export function designInfo(spec: ModelSpec, frame: Frame, rows: Int32Array): DesignInfo {
  const levels = new Map<string, { levels: readonly string[]; reference: string }>();
  // Only factors the terms use: an unused factor must not fail on a missing reference.
  const used = new Set(spec.terms.flat());
  for (const [name, f] of Object.entries(spec.factors)) {
    if (!used.has(name)) continue;
    const col = getColumn(frame, f.column);
    if (f.kind === "numeric") {
      if (col.kind !== "numeric")
        throw new RangeError(`factor ${name}: column ${f.column} is not numeric`);
      continue;
    }
    if (col.kind !== "categorical")
      throw new RangeError(`factor ${name}: column ${f.column} is not categorical`);
    const sorted = sortLevels(presentLevels(col, rows));
    const reference = f.reference ?? sorted[0];
    if (reference === undefined) throw new RangeError(`factor ${name}: no rows`);
    if (!sorted.includes(reference)) {
      throw new RangeError(
        `factor ${name}: reference level '${reference}' does not occur in the data`,
      );
    }
    levels.set(name, { levels: sorted, reference });
  }

  const isNumeric = (name: string) => {
    const f = spec.factors[name];
    if (!f) throw new RangeError(`term uses unknown factor ${name}`);
    return f.kind === "numeric";
  };
  // Bucket terms by their numeric factors; the all-categorical bucket first.
  const buckets = new Map<string, (readonly string[])[]>();
  const seenTerms = new Set<string>();
  for (const term of spec.terms) {
    const key = [...term].sort().join(":");
    if (seenTerms.has(key)) continue; // patsy drops duplicate terms
    seenTerms.add(key);
    const bucket = term.filter(isNumeric).sort().join(",");
    if (!buckets.has(bucket)) buckets.set(bucket, []);
    buckets.get(bucket)!.push(term);
  }
  const bucketOrder = [...buckets.keys()];
  if (buckets.has("")) {
    bucketOrder.splice(bucketOrder.indexOf(""), 1);
    bucketOrder.unshift("");
  }

  const intercept = spec.intercept ?? true;
  const names: string[] = [];
  const subterms: SubtermInfo[] = [];
  if (intercept) {
    names.push("Intercept");
    subterms.push({ factors: [], offset: 0, width: 1 });
  }
  for (const bucket of bucketOrder) {
    const terms = [...buckets.get(bucket)!].sort((a, b) => a.length - b.length); // stable
    const used = new Set<string>();
    // The intercept is the empty subterm of the pure-categorical bucket.
    if (bucket === "" && intercept) used.add(subtermKey([]));
    for (const term of terms) {
      const cats = term.filter((n) => !isNumeric(n));
      for (const coding of pickContrasts(cats, used)) {
        const factors: CodedFactor[] = [];
        for (const name of term) {
          const f = spec.factors[name]!;
          if (f.kind === "numeric") {
            factors.push({
              name,
              column: f.column,
              kind: "numeric",
              codedLevels: [],
              fullRank: true,
            });
          } else if (coding.has(name)) {
            const lv = levels.get(name)!;
            const full = coding.get(name)!;
            const codedLevels = full ? lv.levels : lv.levels.filter((l) => l !== lv.reference);
            factors.push({
              name,
              column: f.column,
              kind: "categorical",
              codedLevels,
              fullRank: full,
            });
          }
        }
        const width = factors.reduce(
          (w, f) => w * (f.kind === "numeric" ? 1 : f.codedLevels.length),
          1,
        );
        const offset = names.length;
        for (const combo of columnCombinations(factors)) {
          names.push(
            factors
              .map((f, k) => {
                const label = spec.factors[f.name]!.label ?? defaultLabel(spec.factors[f.name]!);
                if (f.kind === "numeric") return label;
                const lvl = f.codedLevels[combo[k]!]!;
                return `${label}[${f.fullRank ? "" : "T."}${lvl}]`;
              })
              .join(":"),
          );
        }
        if (width > 0) subterms.push({ factors, offset, width });
      }
    }
  }
  return { names, p: names.length, intercept, subterms, levels };
}

/** Column index combinations with the left-most factor varying fastest (patsy/R order). */
function columnCombinations(factors: readonly CodedFactor[]): number[][] {
  const counts = factors.map((f) => (f.kind === "numeric" ? 1 : f.codedLevels.length));
  const total = counts.reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  for (let k = 0; k < total; k++) {
    let rem = k;
    out.push(
      counts.map((c) => {
        const i = rem % c;
        rem = Math.floor(rem / c);
        return i;
      }),
    );
  }
  return out;
}

/**
 * Encodes `rows` of `frame` under an existing design (so counterfactual frames
 * reuse the fitted columns). `overrides` replace a column for every row.
 */
export function buildDesign(
  info: DesignInfo,
  frame: Frame,
  rows: Int32Array,
  overrides: readonly Override[] = [],
): SparseDesign {
  const n = rows.length;
  const S = info.subterms.length;
  const col = new Int32Array(n * S);
  const hasNumeric = info.subterms.some((st) => st.factors.some((f) => f.kind === "numeric"));
  const val = hasNumeric ? new Float64Array(n * S) : null;
  const byColumn = new Map(overrides.map((o) => [o.column, o]));

  info.subterms.forEach((st, s) => {
    // Per factor: either a code→coded-index table (categorical) or numeric values.
    let stride = 1;
    const parts = st.factors.map((f) => {
      const part = {
        f,
        stride,
        table: null as Int32Array | null,
        constIdx: -2,
        values: null as Float64Array | null,
        add: 0,
        set: Number.NaN,
      };
      const o = byColumn.get(f.column);
      if (f.kind === "categorical") {
        const c = getColumn(frame, f.column);
        if (c.kind !== "categorical") throw new RangeError(`column ${f.column} is not categorical`);
        if (o && "level" in o) {
          if (!info.levels.get(f.name)!.levels.includes(o.level)) {
            throw new RangeError(`override ${f.column}=${o.level}: level not in the fitted design`);
          }
          part.constIdx = f.codedLevels.indexOf(o.level);
        } else {
          const table = new Int32Array(c.levels.length);
          const known = info.levels.get(f.name)!.levels;
          c.levels.forEach((lvl, code) => {
            table[code] = f.codedLevels.indexOf(lvl);
            if (!known.includes(lvl)) table[code] = -3; // level unseen at fit time
          });
          part.table = table;
        }
        stride *= f.codedLevels.length;
      } else {
        const c = getColumn(frame, f.column);
        if (c.kind !== "numeric") throw new RangeError(`column ${f.column} is not numeric`);
        part.values = c.values;
        if (o && "add" in o) part.add = o.add;
        if (o && "value" in o) part.set = o.value;
      }
      return part;
    });
    const codesOf = parts.map((pt) => {
      const c = getColumn(frame, pt.f.column);
      return c.kind === "categorical" ? c.codes : null;
    });
    for (let k = 0; k < n; k++) {
      const r = rows[k]!;
      let idx = 0;
      let v = 1;
      let empty = false;
      for (let q = 0; q < parts.length; q++) {
        const pt = parts[q]!;
        if (pt.f.kind === "categorical") {
          const ci = pt.constIdx !== -2 ? pt.constIdx : pt.table![codesOf[q]![r]!]!;
          if (ci === -3)
            throw new RangeError(`row ${r}: level of ${pt.f.column} was not in the fitted data`);
          if (ci < 0) {
            empty = true;
            break;
          }
          idx += ci * pt.stride;
        } else {
          v *= Number.isNaN(pt.set) ? pt.values![r]! + pt.add : pt.set;
        }
      }
      col[k * S + s] = empty ? -1 : st.offset + idx;
      if (val) val[k * S + s] = empty ? 0 : v;
    }
  });
  return { n, p: info.p, slots: S, col, val };
}

/** η = Xβ for every row of a sparse design. */
export function linearPredictor(x: SparseDesign, beta: Float64Array): Float64Array {
  const { n, slots: S, col, val } = x;
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * S;
    for (let k = 0; k < S; k++) {
      const c = col[base + k]!;
      if (c >= 0) s += val ? beta[c]! * val[base + k]! : beta[c]!;
    }
    eta[i] = s;
  }
  return eta;
}

/** Dense copy of a sparse design (tests and small data only). */
export function toDense(x: SparseDesign): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < x.n; i++) {
    const row = new Float64Array(x.p);
    for (let k = 0; k < x.slots; k++) {
      const c = x.col[i * x.slots + k]!;
      if (c >= 0) row[c]! += x.val ? x.val[i * x.slots + k]! : 1;
    }
    out.push(row);
  }
  return out;
}
