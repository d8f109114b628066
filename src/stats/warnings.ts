/**
 * Problems a statistical routine detected but could still report around.
 * Routines return these alongside their numbers (and flag the affected values)
 * instead of throwing or silently emitting NaN/Infinity, so a caller can show
 * a fitted table *and* say which parts of it are not to be trusted.
 */
export type StatsWarningCode =
  | "separation"
  | "fitted_extreme"
  | "nonconvergence"
  | "rank_deficient"
  /** A conventional reference level is absent, so another level is the baseline. */
  | "reference_level"
  | "non_finite"
  | "too_few_clusters";

export interface StatsWarning {
  readonly code: StatsWarningCode;
  readonly message: string;
  /** Coefficient names concerned, when the problem is local to some of them. */
  readonly terms?: readonly string[];
}

/** A finite number, or null with the reason recorded: used wherever output leaves the library. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
