import type { BeliefLabel, TaskName } from "../types.js";
import type { RunStore } from "./run-store.js";

/** Scored verdicts of one subject on one item under one belief template, over all its contexts and samples. */
export interface ItemCount {
  subject: string;
  task: TaskName;
  item: string;
  belief: BeliefLabel;
  correct: number;
  incorrect: number;
}

/**
 * Per-item counts for clustered inference (items are the clusters), counted in
 * SQL: a 500k-trial run gives subjects × items × beliefs rows, not a row per trial.
 */
export function itemCounts(store: RunStore, judge: string): ItemCount[] {
  return store.db
    .prepare(
      `SELECT t.subject_id AS subject, t.task, t.item_id AS item, t.belief,
              sum(j.label = 'CORRECT') AS correct,
              sum(j.label = 'INCORRECT') AS incorrect
       FROM trials t
       JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
       WHERE j.label IN ('CORRECT', 'INCORRECT')
       GROUP BY t.subject_id, t.task, t.item_id, t.belief`,
    )
    .all(judge) as ItemCount[];
}
