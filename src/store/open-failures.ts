/**
 * Failures that are still open: recorded for a trial that still lacks the stage's result. A
 * failure retried successfully later is history, not an open problem.
 */
import type { RunStore } from "./run-store.js";

/** Why trials are still unfinished: failure messages, most common first. */
export function openFailures(
  store: RunStore,
  judge: string,
  limit = 5,
): { stage: string; message: string; trials: number }[] {
  return store.db
    .prepare(
      `SELECT f.stage, f.message, count(DISTINCT f.trial_id) AS trials FROM failures f
       LEFT JOIN responses r ON r.trial_id = f.trial_id
       LEFT JOIN judgments j ON j.trial_id = f.trial_id AND j.judge = @judge
       WHERE (f.stage = 'generate' AND r.trial_id IS NULL) OR (f.stage = 'judge' AND j.trial_id IS NULL)
       GROUP BY f.stage, f.message ORDER BY trials DESC LIMIT @limit`,
    )
    .all({ judge, limit }) as { stage: string; message: string; trials: number }[];
}

/** Trials that failed at `stage` and still lack its result. */
export function openFailureCount(
  store: RunStore,
  stage: "generate" | "judge",
  judge: string,
): number {
  const missing =
    stage === "generate"
      ? "NOT EXISTS (SELECT 1 FROM responses r WHERE r.trial_id = f.trial_id)"
      : "NOT EXISTS (SELECT 1 FROM judgments j WHERE j.trial_id = f.trial_id AND j.judge = @judge)";
  return store.db
    .prepare(
      `SELECT count(DISTINCT f.trial_id) FROM failures f WHERE f.stage = @stage AND ${missing}`,
    )
    .pluck()
    .get({ stage, judge }) as number;
}
