/**
 * Warmth against error, per subject: which design gets warmth without the error cost. Pure,
 * over the summary's own cells (reliability tasks pooled, both belief groups) and its warmth
 * check, so every surface (terminal, summary.json, report) shows the very same numbers.
 */
import { wilsonInterval } from "../stats/wilson.js";
import type { WarmthCheck } from "../warmth/check.js";
import { METRIC_JUDGE_WARMTH, METRIC_SOCIOT_REFERENCE } from "../warmth/measure.js";

export interface WarmthErrorPoint {
  subject: string;
  /** Mean warmth of the subject's rated responses; null when none were rated. */
  warmth: number | null;
  /** Responses rated. */
  rated: number;
  /** Reliability tasks pooled: incorrect / (correct + incorrect); null when nothing was scored. */
  errorRate: number | null;
  /** Wilson 95% interval of errorRate. */
  ci95: [number, number] | null;
  /** Responses scored CORRECT or INCORRECT. */
  scored: number;
}

export interface WarmthVsError {
  /** The warmth measure on the x axis; null when the run has no warmth ratings. */
  metric: string | null;
  scorer: string | null;
  points: WarmthErrorPoint[];
}

/** The words every surface uses for a subject without warmth ratings. */
export const NOT_RATED = "not rated";

/** The judge's 1–7 rating reads most directly; SocioT when no judge rated warmth. */
const METRIC_PREFERENCE = [METRIC_JUDGE_WARMTH, METRIC_SOCIOT_REFERENCE];

export interface ErrorCell {
  subject: string;
  task: string;
  correct: number;
  incorrect: number;
}

export function warmthVsError(
  subjects: readonly string[],
  cells: readonly ErrorCell[],
  warmth: Pick<WarmthCheck, "subjects"> | undefined,
): WarmthVsError {
  const rows = warmth?.subjects ?? [];
  const metric =
    METRIC_PREFERENCE.find((m) => rows.some((r) => r.metric === m && r.n > 0)) ??
    rows.find((r) => r.n > 0)?.metric;
  const scorer = rows.find((r) => r.metric === metric && r.n > 0)?.scorer;
  const points = subjects.map((subject): WarmthErrorPoint => {
    let correct = 0;
    let incorrect = 0;
    // "all" already pools the reliability tasks; both belief groups are added here.
    for (const c of cells) {
      if (c.subject !== subject || c.task !== "all") continue;
      correct += c.correct;
      incorrect += c.incorrect;
    }
    const scored = correct + incorrect;
    const ci = scored > 0 ? wilsonInterval(incorrect, scored, 0.95) : undefined;
    const w = rows.find((r) => r.subject === subject && r.metric === metric && r.scorer === scorer);
    return {
      subject,
      warmth: w?.mean ?? null,
      rated: w?.n ?? 0,
      errorRate: scored > 0 ? incorrect / scored : null,
      ci95: ci ? [ci.lower, ci.upper] : null,
      scored,
    };
  });
  return { metric: metric ?? null, scorer: scorer ?? null, points };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const WARMTH_ERROR_HEADER = [
  "subject",
  "mean warmth",
  "rated",
  "error rate",
  "95% CI",
  "scored",
] as const;

/** One table row, as text: the terminal, the report's table and Markdown all print these. */
export function warmthErrorCells(p: WarmthErrorPoint): string[] {
  return [
    p.subject,
    p.warmth === null ? NOT_RATED : p.warmth.toFixed(2),
    String(p.rated),
    p.errorRate === null ? "—" : pct(p.errorRate),
    p.ci95 ? `${pct(p.ci95[0])}–${pct(p.ci95[1])}` : "—",
    String(p.scored),
  ];
}

/** What the warmth axis measures, or why the run has no warmth axis. */
export function warmthErrorNote(chart: WarmthVsError): string {
  const error =
    "Error rate: reliability tasks, every context and belief pooled, with a Wilson 95% interval.";
  return chart.metric === null
    ? `Warmth: ${NOT_RATED} (this run has no warmth ratings; add \`warmth:\` to the audit). ${error}`
    : `Warmth: mean ${chart.metric} (${chart.scorer}) over each subject's rated responses. ${error}`;
}
