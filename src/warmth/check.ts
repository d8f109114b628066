/**
 * The manipulation check: did the warm variant actually become warmer?
 *
 * Per subject, mean ± SEM of each warmth measure over its responses; per compared pair,
 * a paired test of treatment − reference over the same item and condition (task, item,
 * context, belief; several samples are averaged first), with a warning when the treatment is
 * not measurably warmer: its mean difference is not positive or the one-sided paired t-test
 * (treatment > reference) is not significant at `alpha`. A Wilcoxon signed-rank test is
 * reported beside it (judge ratings are ordinal).
 */
import { metricScorers, metricValues } from "../store/metrics.js";
import type { RunStore } from "../store/run-store.js";
import { METRIC_JUDGE_WARMTH, METRIC_SOCIOT_REFERENCE, METRIC_SOCIOT_STRICT } from "./measure.js";
import {
  type MeanSem,
  meanSem,
  type PairedTTest,
  pairedTTest,
  type WilcoxonResult,
  wilcoxonSignedRank,
} from "./paired.js";

export interface ComparePair {
  reference: string;
  treatments: readonly string[];
}

export interface SubjectWarmth extends MeanSem {
  subject: string;
  metric: string;
  scorer: string;
  /** Responses with a row for this metric but no value (EMPTY, UNPARSEABLE). */
  missing: number;
}

export interface WarmthComparison {
  metric: string;
  scorer: string;
  reference: string;
  treatment: string;
  /** Item × condition cells where both subjects have a value. */
  pairs: number;
  referenceMean: number | null;
  treatmentMean: number | null;
  /** Paired t-test of treatment − reference (null with fewer than two pairs). */
  t: PairedTTest | null;
  wilcoxon: WilcoxonResult | null;
  /** True when the treatment is measurably warmer (positive difference, one-sided p < alpha). */
  warmer: boolean;
  /** Why the treatment is not measurably warmer, when it is not. */
  warning?: string;
}

export interface WarmthCheck {
  alpha: number;
  subjects: SubjectWarmth[];
  comparisons: WarmthComparison[];
  /** One line per comparison that failed the check. */
  warnings: string[];
}

export interface WarmthCheckOptions {
  /** Metrics to check (default: every warmth metric present in the store). */
  metrics?: readonly string[];
  /** Only this scorer per metric (default: every scorer found). */
  scorers?: Readonly<Record<string, string>>;
  /** Significance level of the one-sided test (default 0.05). */
  alpha?: number;
}

const DEFAULT_METRICS = [METRIC_SOCIOT_REFERENCE, METRIC_SOCIOT_STRICT, METRIC_JUDGE_WARMTH];

function cellKey(r: { task: string; item_id: string; context: string; belief: string }): string {
  return `${r.task}\u0000${r.item_id}\u0000${r.context}\u0000${r.belief}`;
}

const fmt = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined ? "—" : x.toFixed(d);

/** Per-subject warmth and paired treatment-vs-reference tests for every compared pair. */
export function warmthManipulationCheck(
  store: RunStore,
  compare: readonly ComparePair[],
  opts: WarmthCheckOptions = {},
): WarmthCheck {
  const alpha = opts.alpha ?? 0.05;
  const subjects: SubjectWarmth[] = [];
  const comparisons: WarmthComparison[] = [];
  const warnings: string[] = [];
  for (const metric of opts.metrics ?? DEFAULT_METRICS) {
    const wanted = opts.scorers?.[metric];
    const scorers = wanted ? [wanted] : metricScorers(store, metric).map((s) => s.scorer);
    for (const scorer of scorers) {
      const rows = metricValues(store, metric, scorer);
      // subject → cell → values (samples averaged later)
      const bySubject = new Map<
        string,
        { all: number[]; missing: number; cells: Map<string, number[]> }
      >();
      for (const r of rows) {
        let s = bySubject.get(r.subject_id);
        if (!s) {
          s = { all: [], missing: 0, cells: new Map() };
          bySubject.set(r.subject_id, s);
        }
        if (r.value === null || !Number.isFinite(r.value)) {
          s.missing++;
          continue;
        }
        s.all.push(r.value);
        const k = cellKey(r);
        const c = s.cells.get(k);
        if (c) c.push(r.value);
        else s.cells.set(k, [r.value]);
      }
      for (const [subject, s] of bySubject) {
        subjects.push({ subject, metric, scorer, missing: s.missing, ...meanSem(s.all) });
      }
      for (const pair of compare) {
        for (const treatment of pair.treatments) {
          const ref = bySubject.get(pair.reference);
          const tr = bySubject.get(treatment);
          const rv: number[] = [];
          const tv: number[] = [];
          if (ref && tr) {
            for (const [k, vals] of tr.cells) {
              const other = ref.cells.get(k);
              if (!other) continue;
              tv.push(meanSem(vals).mean!);
              rv.push(meanSem(other).mean!);
            }
          }
          const t = pairedTTest(tv, rv);
          const cmp: WarmthComparison = {
            metric,
            scorer,
            reference: pair.reference,
            treatment,
            pairs: tv.length,
            referenceMean: meanSem(rv).mean,
            treatmentMean: meanSem(tv).mean,
            t,
            wilcoxon: wilcoxonSignedRank(tv, rv),
            warmer: t !== null && t.meanDiff > 0 && t.pGreater < alpha,
          };
          if (!cmp.warmer) {
            const why =
              t === null
                ? `only ${tv.length} paired item×condition cell(s); a paired test needs at least 2`
                : t.meanDiff <= 0
                  ? `mean difference ${fmt(t.meanDiff)} is not positive`
                  : `mean difference ${fmt(t.meanDiff)} (95% CI ${fmt(t.ci95[0])} to ${fmt(t.ci95[1])}) is not significant (one-sided p = ${t.pGreater.toPrecision(3)} ≥ ${alpha})`;
            cmp.warning = `${treatment} is not measurably warmer than ${pair.reference} on ${metric} (${scorer}): ${why}`;
            warnings.push(cmp.warning);
          }
          comparisons.push(cmp);
        }
      }
    }
  }
  return { alpha, subjects, comparisons, warnings };
}

/** A plain-text table of the check, for the CLI and reports. */
export function formatWarmthCheck(check: WarmthCheck): string {
  const lines: string[] = [];
  if (check.subjects.length === 0) return "No warmth measurements in this run.\n";
  lines.push("Warmth per subject (mean ± SEM):");
  for (const s of check.subjects) {
    lines.push(
      `  ${s.metric.padEnd(24)} ${s.subject.padEnd(16)} ${fmt(s.mean).padStart(9)} ± ${fmt(s.sem)}  (n=${s.n}${s.missing ? `, ${s.missing} without value` : ""})  [${s.scorer}]`,
    );
  }
  if (check.comparisons.length > 0) {
    lines.push("", "Manipulation check (paired over item × condition; treatment − reference):");
    for (const c of check.comparisons) {
      const t = c.t;
      const stat = t
        ? `Δ=${fmt(t.meanDiff)} [${fmt(t.ci95[0])}, ${fmt(t.ci95[1])}] t(${t.df})=${t.t.toFixed(2)} p(>)=${t.pGreater.toPrecision(3)}`
        : "Δ=—";
      const w = c.wilcoxon ? ` Wilcoxon p(>)=${c.wilcoxon.pGreater.toPrecision(3)}` : "";
      lines.push(
        `  ${c.metric.padEnd(24)} ${c.treatment} vs ${c.reference}: pairs=${c.pairs} ${stat}${w} ${c.warmer ? "OK" : "NOT WARMER"}`,
      );
    }
  }
  for (const w of check.warnings) lines.push(`WARNING: ${w}`);
  return `${lines.join("\n")}\n`;
}
