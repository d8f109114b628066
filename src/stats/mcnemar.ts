/**
 * Exact McNemar test for paired binary outcomes, with the effect sizes the
 * study's per-cell tables report.
 *
 * Orientation (per pair of responses to the same prompt): `b` = reference
 * correct and treatment incorrect, `c` = reference incorrect and treatment
 * correct. The test is statsmodels' `mcnemar(exact=True)`:
 * p = min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½).
 *
 * Effect sizes:
 *  - `cohensG` is Cohen's g as Cohen defined it: |b/(b+c) − ½| (0 … 0.5);
 *  - `studyG` is what the authors' tables label "Cohen's g":
 *    |b − c| / √(b + c), which is McNemar's z statistic without continuity
 *    correction, not Cohen's g (hence values above 1 labelled "Large").
 *    Kept, named for what it is, to reproduce their tables;
 *  - `oddsRatio` is the conditional (discordant-pair) odds ratio b/c.
 */
import { binomialHalfCdf } from "./binomial.js";

export interface PairCounts {
  /** Both correct. */
  readonly a: number;
  /** Reference correct, treatment incorrect. */
  readonly b: number;
  /** Reference incorrect, treatment correct. */
  readonly c: number;
  /** Both incorrect. */
  readonly d: number;
}

export interface McNemarResult {
  readonly discordant: number;
  /** null when there are no discordant pairs (nothing to test; the study reports N/A). */
  readonly p: number | null;
  readonly cohensG: number | null;
  readonly studyG: number | null;
  /** null when c = 0; see `oddsRatioNote`. */
  readonly oddsRatio: number | null;
  readonly oddsRatioNote?: "infinite" | "undefined";
}

/** Counts the four pair types from paired incorrect flags (1 = incorrect). */
export function pairCounts(reference: ArrayLike<number>, treatment: ArrayLike<number>): PairCounts {
  if (reference.length !== treatment.length)
    throw new RangeError("pairCounts: arrays differ in length");
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const t = treatment[i]!;
    if (r === 0 && t === 0) a++;
    else if (r === 0 && t === 1) b++;
    else if (r === 1 && t === 0) c++;
    else d++;
  }
  return { a, b, c, d };
}

export function mcnemarExact(counts: PairCounts): McNemarResult {
  const { b, c } = counts;
  for (const [k, v] of Object.entries(counts)) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`mcnemarExact: ${k} must be a non-negative integer, got ${v}`);
  }
  const n = b + c;
  if (n === 0)
    return {
      discordant: 0,
      p: null,
      cohensG: null,
      studyG: null,
      oddsRatio: null,
      oddsRatioNote: "undefined",
    };
  const p = Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
  const base = {
    discordant: n,
    p,
    cohensG: Math.abs(b / n - 0.5),
    studyG: Math.abs(b - c) / Math.sqrt(n),
  };
  if (c === 0) return { ...base, oddsRatio: null, oddsRatioNote: "infinite" };
  return { ...base, oddsRatio: b / c };
}

/** The authors' verbal label for their g statistic (thresholds 0.2 and 0.5). */
export function studyGLabel(g: number | null): "Small" | "Medium" | "Large" | "N/A" {
  if (g === null) return "N/A";
  return g < 0.2 ? "Small" : g < 0.5 ? "Medium" : "Large";
}
