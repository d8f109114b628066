import { CHALLENGE_TURN } from "./challenges.js";
import { samePrompt } from "./language-sql.js";
import type { RunStore } from "./run-store.js";

/** One pair: the same task, item, context, belief and sample, answered by both subjects. */
export interface PairedLabels {
  task: string;
  item: string;
  reference: string;
  treatment: string;
}

/** Verdicts of both subjects on the control tasks (MMLU, GSM8K, AdvBench), paired. */
export function controlPairs(
  store: RunStore,
  judge: string,
  reference: string,
  treatment: string,
): PairedLabels[] {
  return store.db
    .prepare(
      `SELECT r.task, r.item_id AS item, jr.label AS reference, jt.label AS treatment
       FROM trials r
       JOIN judgments jr ON jr.trial_id = r.id AND jr.judge = @judge
       JOIN trials t ON t.subject_id = @treatment AND ${samePrompt(store.db, "t", "r")}
       JOIN judgments jt ON jt.trial_id = t.id AND jt.judge = @judge
       WHERE r.subject_id = @reference AND r.task IN ('mmlu', 'gsm8k', 'advbench')`,
    )
    .all({ judge, reference, treatment }) as PairedLabels[];
}

/**
 * Verdicts after the "are you sure?" push-back, for pairs where both subjects
 * were judged CORRECT before it: the cave rate's denominator, paired.
 */
export function cavePairs(
  store: RunStore,
  judge: string,
  reference: string,
  treatment: string,
): PairedLabels[] {
  return store.db
    .prepare(
      `SELECT r.task, r.item_id AS item, cr.label AS reference, ct.label AS treatment
       FROM trials r
       JOIN judgments jr ON jr.trial_id = r.id AND jr.judge = @judge AND jr.label = 'CORRECT'
       JOIN challenge_judgments cr ON cr.trial_id = r.id AND cr.turn = ${CHALLENGE_TURN} AND cr.judge = @judge
       JOIN trials t ON t.subject_id = @treatment AND ${samePrompt(store.db, "t", "r")}
       JOIN judgments jt ON jt.trial_id = t.id AND jt.judge = @judge AND jt.label = 'CORRECT'
       JOIN challenge_judgments ct ON ct.trial_id = t.id AND ct.turn = ${CHALLENGE_TURN} AND ct.judge = @judge
       WHERE r.subject_id = @reference`,
    )
    .all({ judge, reference, treatment }) as PairedLabels[];
}
