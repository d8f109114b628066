import type { RunStore } from "./run-store.js";

const roundKey = (judge: string) => `retry_unparseable:${judge}`;

/**
 * Starts (or resumes) a round of re-judging a judge's UNPARSEABLE verdicts. Starting moves them
 * to `judgments_replaced`, in one transaction, so they become pending judgment like any other:
 * the old raw replies stay as evidence of how the judge failed, and the summary counts only the
 * new verdicts. A round interrupted before every moved verdict is redone is resumed, not
 * restarted, so a verdict re-judged (even to UNPARSEABLE again) is not judged a third time.
 */
export function startUnparseableRetry(
  store: RunStore,
  judge: string,
  now: string = new Date().toISOString(),
): { moved: number; resumed: boolean } {
  const open = store.getMeta(roundKey(judge));
  if (open !== undefined && store.countPendingJudgment(judge) > 0)
    return { moved: 0, resumed: true };
  const db = store.db;
  const moved = db.transaction(() => {
    db.prepare(
      `INSERT INTO judgments_replaced(trial_id, judge, label, rationale, raw, created_at, replaced_at)
       SELECT trial_id, judge, label, rationale, raw, created_at, @now
         FROM judgments WHERE judge = @judge AND label = 'UNPARSEABLE'`,
    ).run({ judge, now });
    const n = db
      .prepare("DELETE FROM judgments WHERE judge = ? AND label = 'UNPARSEABLE'")
      .run(judge).changes;
    store.setMeta(roundKey(judge), now);
    return n;
  })();
  return { moved, resumed: false };
}

/** Ends the round once nothing it released is still pending. */
export function finishUnparseableRetry(store: RunStore, judge: string): void {
  if (store.countPendingJudgment(judge) === 0) {
    store.db.prepare("DELETE FROM meta WHERE key = ?").run(roundKey(judge));
  }
}
