/**
 * Typed access to the `metrics` table (migration 2): one value per trial, metric and scorer.
 * Writes are idempotent (a trial's value for a metric and scorer is written once), so a
 * crashed or interrupted measurement resumes with exactly what is missing.
 */
import type { BeliefLabel, ContextLabel, TaskName } from "../types.js";
import { INSERT_FAILURE } from "./row-values.js";
import type { RunStore, TrialCoordinates } from "./run-store.js";

export interface MetricRecord {
  trialId: string;
  metric: string;
  scorer: string;
  /** The measurement; null when there is none (e.g. an unparseable judge answer). */
  value: number | null;
  /** Status or category, e.g. RATED, UNPARSEABLE, EMPTY. */
  label?: string | null;
  /** Anything needed to trace the value (per-frame log-likelihoods, judge rationale…). */
  detail?: unknown;
  createdAt?: string;
}

export interface PendingMetric {
  trialId: string;
  text: string;
  task: TaskName;
  itemId: string;
  context: ContextLabel;
  belief: BeliefLabel;
}

/** Responses that lack a row for every one of `metrics` from `scorer`, in trial order. */
export function pendingMetric(
  store: RunStore,
  metrics: readonly string[],
  scorer: string,
): PendingMetric[] {
  if (metrics.length === 0) return [];
  const placeholders = metrics.map(() => "?").join(", ");
  return store.db
    .prepare(
      `SELECT t.id AS trialId, r.text AS text, t.task AS task, t.item_id AS itemId,
              t.context AS context, t.belief AS belief
       FROM trials t
       JOIN responses r ON r.trial_id = t.id
       WHERE (SELECT count(*) FROM metrics m
              WHERE m.trial_id = t.id AND m.scorer = ? AND m.metric IN (${placeholders})) < ?
       ORDER BY t.rowid`,
    )
    .all(scorer, ...metrics, metrics.length) as PendingMetric[];
}

export interface ResponseCell {
  task: TaskName;
  itemId: string;
  context: ContextLabel;
  belief: BeliefLabel;
  /** Responses in the cell (one per subject and sample). */
  responses: number;
}

/** The distinct item × condition cells of the run's responses (task, item, context, belief). */
export function responseCells(store: RunStore): ResponseCell[] {
  return store.db
    .prepare(
      `SELECT t.task AS task, t.item_id AS itemId, t.context AS context, t.belief AS belief,
              count(*) AS responses
       FROM trials t JOIN responses r ON r.trial_id = t.id
       GROUP BY t.task, t.item_id, t.context, t.belief`,
    )
    .all() as ResponseCell[];
}

/** Writes metric rows in one transaction; existing rows are kept. Returns how many were new. */
export function writeMetrics(store: RunStore, rows: readonly MetricRecord[]): number {
  if (rows.length === 0) return 0;
  const stmt = store.db.prepare(
    `INSERT INTO metrics(trial_id, metric, scorer, value, label, detail_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id, metric, scorer) DO NOTHING`,
  );
  const now = new Date().toISOString();
  let written = 0;
  store.db.transaction(() => {
    for (const r of rows) {
      written += stmt.run(
        r.trialId,
        r.metric,
        r.scorer,
        r.value !== null && Number.isFinite(r.value) ? r.value : null,
        r.label ?? null,
        r.detail === undefined ? null : JSON.stringify(r.detail),
        r.createdAt ?? now,
      ).changes;
    }
  })();
  return written;
}

/** Records a measurement that failed after all retries (the trial stays pending). */
export function recordMetricFailure(
  store: RunStore,
  failure: { trialId: string; metric: string; message: string; attempts: number },
): void {
  store.db
    .prepare(INSERT_FAILURE)
    .run(
      failure.trialId,
      `metric:${failure.metric}`,
      failure.message,
      failure.attempts,
      new Date().toISOString(),
    );
}

/** Number of rows per scorer of a metric. */
export function metricScorers(store: RunStore, metric: string): { scorer: string; rows: number }[] {
  return store.db
    .prepare(
      "SELECT scorer, count(*) AS rows FROM metrics WHERE metric = ? GROUP BY scorer ORDER BY scorer",
    )
    .all(metric) as { scorer: string; rows: number }[];
}

export interface MetricValueRow extends TrialCoordinates {
  metric: string;
  scorer: string;
  value: number | null;
  label: string | null;
}

/** Every row of `metric` (optionally from one scorer) with its trial's design cell. */
export function metricValues(store: RunStore, metric: string, scorer?: string): MetricValueRow[] {
  const sql = `SELECT m.trial_id, t.subject_id, t.task, t.item_id, t.context, t.belief, t.sample,
                      m.metric, m.scorer, m.value, m.label
               FROM metrics m JOIN trials t ON t.id = m.trial_id
               WHERE m.metric = ?${scorer === undefined ? "" : " AND m.scorer = ?"}
               ORDER BY t.rowid`;
  const stmt = store.db.prepare(sql);
  return (scorer === undefined ? stmt.all(metric) : stmt.all(metric, scorer)) as MetricValueRow[];
}
