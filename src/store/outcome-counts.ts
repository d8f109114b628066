import type { BeliefLabel, TaskName } from "../types.js";
import { samePrompt } from "./language-sql.js";
import { openFailureCount } from "./open-failures.js";
import type { RunStore } from "./run-store.js";

/** Trials and verdicts counted per subject × task × belief, for one judge. */
export interface OutcomeCount {
  subject: string;
  task: TaskName;
  belief: BeliefLabel;
  trials: number;
  responses: number;
  correct: number;
  incorrect: number;
  refusals: number;
  unparseable: number;
  /** Replies without content after every retry, and replies cut at max_response_bytes. */
  empty: number;
  truncated: number;
  /** Verdicts of any label (judged responses). */
  judged: number;
}

/**
 * Counted in SQL: a 500k-trial run summarises without loading a row per trial.
 */
export function outcomeCounts(store: RunStore, judge: string): OutcomeCount[] {
  return store.db
    .prepare(
      `SELECT t.subject_id AS subject, t.task, t.belief, count(*) AS trials,
              count(r.trial_id) AS responses,
              count(j.trial_id) AS judged,
              coalesce(sum(j.label = 'CORRECT'), 0) AS correct,
              coalesce(sum(j.label = 'INCORRECT'), 0) AS incorrect,
              coalesce(sum(j.label = 'REFUSAL'), 0) AS refusals,
              coalesce(sum(j.label = 'UNPARSEABLE'), 0) AS unparseable,
              coalesce(sum(j.label = 'EMPTY'), 0) AS empty,
              coalesce(sum(j.label = 'TRUNCATED'), 0) AS truncated
       FROM trials t
       LEFT JOIN responses r ON r.trial_id = t.id
       LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
       GROUP BY t.subject_id, t.task, t.belief
       ORDER BY t.subject_id, t.task, t.belief`,
    )
    .all(judge) as OutcomeCount[];
}

/** 2×2 tables of paired outcomes (same task, item, context, belief and sample), per task × belief. */
export interface PairCount {
  task: TaskName;
  belief: BeliefLabel;
  /** both correct */
  a: number;
  /** reference correct, treatment incorrect */
  b: number;
  /** reference incorrect, treatment correct */
  c: number;
  /** both incorrect */
  d: number;
}

export function pairCounts(
  store: RunStore,
  judge: string,
  reference: string,
  treatment: string,
): PairCount[] {
  return store.db
    .prepare(
      `SELECT r.task, r.belief,
              sum(jr.label = 'CORRECT' AND jt.label = 'CORRECT') AS a,
              sum(jr.label = 'CORRECT' AND jt.label = 'INCORRECT') AS b,
              sum(jr.label = 'INCORRECT' AND jt.label = 'CORRECT') AS c,
              sum(jr.label = 'INCORRECT' AND jt.label = 'INCORRECT') AS d
       FROM trials r
       JOIN judgments jr ON jr.trial_id = r.id AND jr.judge = @judge
       JOIN trials t ON t.subject_id = @treatment AND ${samePrompt(store.db, "t", "r")}
       JOIN judgments jt ON jt.trial_id = t.id AND jt.judge = @judge
       WHERE r.subject_id = @reference
         AND jr.label IN ('CORRECT', 'INCORRECT') AND jt.label IN ('CORRECT', 'INCORRECT')
       GROUP BY r.task, r.belief`,
    )
    .all({ judge, reference, treatment }) as PairCount[];
}

/** The run's summary from the store, counted in SQL. */
export function summaryInputs(store: RunStore, judge: string) {
  return {
    counts: outcomeCounts(store, judge),
    pairsFor: (reference: string, treatment: string) =>
      pairCounts(store, judge, reference, treatment),
    failures: {
      generate: openFailureCount(store, "generate", judge),
      judge: openFailureCount(store, "judge", judge),
    },
  };
}
