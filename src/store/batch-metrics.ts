import type { PendingMetric } from "./metrics.js";
import { pagedRows } from "./paged.js";
import type { RunStore } from "./run-store.js";

export function* iteratePendingMetric(
  store: RunStore,
  metric: string,
  scorer: string,
  pageSize = 2000,
): Generator<PendingMetric> {
  const page = store.db.prepare(
    `SELECT t.rowid AS rid, t.id AS trialId, r.text AS text, t.task AS task, t.item_id AS itemId,
            t.context AS context, t.belief AS belief
     FROM trials t JOIN responses r ON r.trial_id = t.id
     WHERE NOT EXISTS (SELECT 1 FROM metrics m
                       WHERE m.trial_id = t.id AND m.metric = @metric AND m.scorer = @scorer)
       AND t.rowid > @after ORDER BY t.rowid LIMIT @limit`,
  );
  type Row = PendingMetric & { rid: number };
  for (const { rid: _rid, ...row } of pagedRows<Row>(page, { metric, scorer }, pageSize)) {
    yield row;
  }
}

/** Whether a trial has a metric from a scorer (an earlier import, or the audit). */
export function hasMetric(store: RunStore, metric: string, scorer: string) {
  const q = store.db
    .prepare<[string, string, string], number>(
      "SELECT 1 FROM metrics WHERE trial_id = ? AND metric = ? AND scorer = ?",
    )
    .pluck();
  return (trialId: string) => q.get(trialId, metric, scorer) !== undefined;
}
