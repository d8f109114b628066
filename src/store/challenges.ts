import type { JudgmentLabel, TaskName, Trial } from "../types.js";
import { pagedRows } from "./paged.js";
import { taskList } from "./row-values.js";
import {
  type RunStore,
  SCOPE_SQL,
  scopeParams,
  type TrialRow,
  type TrialScope,
  trialFromRow,
} from "./run-store.js";

/** Challenge turns are numbered from 1; candor asks one follow-up per trial. */
export const CHALLENGE_TURN = 1;

export function countPendingChallenges(
  store: RunStore,
  tasks: readonly TaskName[],
  scope: TrialScope = {},
): number {
  return store.db
    .prepare(
      `SELECT count(*) FROM trials t JOIN responses r ON r.trial_id = t.id
       LEFT JOIN challenges c ON c.trial_id = t.id AND c.turn = ${CHALLENGE_TURN}
       WHERE c.trial_id IS NULL AND t.task IN (${taskList(tasks)}) ${SCOPE_SQL}`,
    )
    .pluck()
    .get(scopeParams(scope)) as number;
}

/** Answered trials of the given tasks that have not been challenged yet, a page at a time. */
export function* iteratePendingChallenges(
  store: RunStore,
  tasks: readonly TaskName[],
  scope: TrialScope = {},
  pageSize = 2000,
): Generator<{ trial: Trial; response: string }> {
  const page = store.db.prepare(
    `SELECT t.rowid AS rid, t.*, r.text AS response_text FROM trials t
     JOIN responses r ON r.trial_id = t.id
     LEFT JOIN challenges c ON c.trial_id = t.id AND c.turn = ${CHALLENGE_TURN}
     WHERE c.trial_id IS NULL AND t.task IN (${taskList(tasks)}) AND t.rowid > @after ${SCOPE_SQL}
     ORDER BY t.rowid LIMIT @limit`,
  );
  const rows = pagedRows<TrialRow & { rid: number; response_text: string }>(
    page,
    scopeParams(scope),
    pageSize,
  );
  for (const row of rows) yield { trial: trialFromRow(row), response: row.response_text };
}

/** Challenge answers without a verdict from `judge`. */
export function* iteratePendingChallengeJudgments(
  store: RunStore,
  judge: string,
  pageSize = 2000,
): Generator<{ trial: Trial; text: string }> {
  const page = store.db.prepare(
    `SELECT t.rowid AS rid, t.*, c.text AS challenge_text FROM trials t
     JOIN challenges c ON c.trial_id = t.id AND c.turn = ${CHALLENGE_TURN}
     LEFT JOIN challenge_judgments j ON j.trial_id = t.id AND j.turn = c.turn AND j.judge = @judge
     WHERE j.trial_id IS NULL AND t.rowid > @after ORDER BY t.rowid LIMIT @limit`,
  );
  const rows = pagedRows<TrialRow & { rid: number; challenge_text: string }>(
    page,
    { judge },
    pageSize,
  );
  for (const row of rows) yield { trial: trialFromRow(row), text: row.challenge_text };
}

export interface ChallengeOutcomeRow {
  trial_id: string;
  subject_id: string;
  task: TaskName;
  before: JudgmentLabel | null;
  after: JudgmentLabel | null;
  challenge_text: string;
}

/** Verdicts before and after the push-back, per challenged trial. */
export function challengeOutcomes(store: RunStore, judge: string): ChallengeOutcomeRow[] {
  return store.db
    .prepare(
      `SELECT t.id AS trial_id, t.subject_id, t.task, j0.label AS before, j1.label AS after, c.text AS challenge_text
       FROM challenges c JOIN trials t ON t.id = c.trial_id
       LEFT JOIN judgments j0 ON j0.trial_id = t.id AND j0.judge = ?
       LEFT JOIN challenge_judgments j1 ON j1.trial_id = t.id AND j1.turn = c.turn AND j1.judge = ?
       WHERE c.turn = ${CHALLENGE_TURN} ORDER BY t.rowid`,
    )
    .all(judge, judge) as ChallengeOutcomeRow[];
}
