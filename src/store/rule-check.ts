import { REFUSAL_PHRASES } from "../judge/refusal.js";
import type { JudgeRuleCounts } from "../judge/rule-agreement.js";
import type { Item } from "../types.js";
import { pagedRows } from "./paged.js";
import { type ItemRow, itemFromRow, type RunStore } from "./run-store.js";

/**
 * Responses of some tasks without a verdict from `judge`, with their item, a page at a time.
 * Replies whose finish reason is in `skipFinish` (unscored: cut or empty) are left out, so
 * they are neither scored nor read again on every run.
 */
export function* responsesWithoutVerdict(
  store: RunStore,
  judge: string,
  tasks: readonly string[],
  skipFinish: readonly string[] = [],
  pageSize = 2000,
): Generator<{ trialId: string; item: Item; response: string }> {
  const page = store.db.prepare(
    `SELECT t.rowid AS rid, t.id AS trial_id, r.text AS response_text, i.*
     FROM trials t JOIN responses r ON r.trial_id = t.id
     JOIN items i ON i.task = t.task AND i.id = t.item_id
     LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
     WHERE j.trial_id IS NULL AND t.task IN (SELECT value FROM json_each(@tasks))
       AND coalesce(r.finish_reason, '') NOT IN (SELECT value FROM json_each(@skip))
       AND t.rowid > @after ORDER BY t.rowid LIMIT @limit`,
  );
  const rows = pagedRows<ItemRow & { rid: number; trial_id: string; response_text: string }>(
    page,
    { judge, tasks: JSON.stringify(tasks), skip: JSON.stringify(skipFinish) },
    pageSize,
  );
  for (const row of rows) {
    yield { trialId: row.trial_id, item: itemFromRow(row), response: row.response_text };
  }
}

/** The two verdicts on one response, cross-tabulated per subject × task (both CORRECT/INCORRECT). */
export function judgeRuleCounts(
  store: RunStore,
  judge: string,
  rule: string,
  tasks: readonly string[],
): JudgeRuleCounts[] {
  return store.db
    .prepare(
      `SELECT t.subject_id AS subject, t.task,
              sum(j.label = 'CORRECT' AND r.label = 'CORRECT') AS cc,
              sum(j.label = 'CORRECT' AND r.label = 'INCORRECT') AS ci,
              sum(j.label = 'INCORRECT' AND r.label = 'CORRECT') AS ic,
              sum(j.label = 'INCORRECT' AND r.label = 'INCORRECT') AS ii
       FROM trials t
       JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
       JOIN judgments r ON r.trial_id = t.id AND r.judge = @rule
       WHERE t.task IN (SELECT value FROM json_each(@tasks))
         AND j.label IN ('CORRECT', 'INCORRECT') AND r.label IN ('CORRECT', 'INCORRECT')
       GROUP BY t.subject_id, t.task ORDER BY t.subject_id, t.task`,
    )
    .all({ judge, rule, tasks: JSON.stringify(tasks) }) as JudgeRuleCounts[];
}

/** Per subject: responses on tasks where refusals are excluded, and what each refusal rule drops. */
export interface RefusalCount {
  subject: string;
  responses: number;
  /** Responses the study's phrase rule matches. */
  phrase: number;
  /** Responses the run's judge labelled REFUSAL (the phrase rule's own, under `refusals: study`). */
  refusals: number;
  /** Phrase-matched responses the judge graded CORRECT or INCORRECT instead. */
  phraseButAnswered: number;
}

export function refusalCounts(
  store: RunStore,
  judge: string,
  tasks: readonly string[],
): RefusalCount[] {
  // SQLite's lower() folds ASCII only; every phrase is ASCII letters plus a typographic apostrophe, which has no case.
  // Each text is lowered once and matched once: LIMIT -1 keeps SQLite from flattening the
  // subqueries (which would repeat lower() per phrase and the match per use), and they stream.
  const phrase = `(${REFUSAL_PHRASES.map(() => "instr(lt, ?) > 0").join(" OR ")})`;
  return store.db
    .prepare(
      `SELECT subject, count(*) AS responses,
              coalesce(sum(p), 0) AS phrase,
              coalesce(sum(label = 'REFUSAL'), 0) AS refusals,
              coalesce(sum(p AND label IN ('CORRECT', 'INCORRECT')), 0) AS phraseButAnswered
       FROM (SELECT subject, label, ${phrase} AS p
             FROM (SELECT t.subject_id AS subject, j.label AS label, lower(r.text) AS lt
                   FROM trials t JOIN responses r ON r.trial_id = t.id
                   LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
                   WHERE t.task IN (SELECT value FROM json_each(?)) LIMIT -1)
             LIMIT -1)
       GROUP BY subject ORDER BY subject`,
    )
    .all(...REFUSAL_PHRASES, judge, JSON.stringify(tasks)) as RefusalCount[];
}
