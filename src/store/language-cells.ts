/**
 * The counts the language × treatment model needs, counted in SQL: judged (CORRECT/INCORRECT)
 * reliability-task responses per compare pair, arm, language and item. Same rows as the study
 * models read (store/analysis-rows.ts), grouped instead of streamed.
 */
import type { LanguageCell } from "../analysis/language-model.js";
import { RELIABILITY_TASKS } from "../types.js";
import { hasLanguageColumn } from "./language-sql.js";
import type { RunStore } from "./run-store.js";

export interface ComparisonCells {
  /** The treatment subject: comparisons are named after it, as in `candor analyze`. */
  readonly comparison: string;
  readonly reference: string;
  readonly cells: readonly LanguageCell[];
}

/** Languages of a run's trials, sorted. */
export function runTrialLanguages(store: RunStore): string[] {
  if (!hasLanguageColumn(store.db)) return ["en"];
  return store.db
    .prepare("SELECT DISTINCT language FROM trials ORDER BY language")
    .pluck()
    .all() as string[];
}

export function languageCells(
  store: RunStore,
  judge: string,
  compare: readonly { reference: string; treatments: readonly string[] }[],
): ComparisonCells[] {
  const tasks = RELIABILITY_TASKS.map((t) => `'${t}'`).join(", ");
  const query = store.db.prepare(
    `SELECT t.language, t.task, t.item_id, count(*) AS n, sum(j.label = 'INCORRECT') AS incorrect
     FROM trials t JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
     WHERE t.subject_id = @subject AND j.label IN ('CORRECT', 'INCORRECT') AND t.task IN (${tasks})
     GROUP BY t.language, t.task, t.item_id ORDER BY t.language, t.task, t.item_id`,
  );
  const armCells = (subject: string, treated: 0 | 1): LanguageCell[] =>
    (
      query.all({ judge, subject }) as {
        language: string;
        task: string;
        item_id: string;
        n: number;
        incorrect: number;
      }[]
    ).map((r) => ({
      language: r.language,
      treated,
      item: `${r.task}/${r.item_id}`,
      count: r.n,
      incorrect: r.incorrect,
    }));
  return compare.flatMap((pair) =>
    pair.treatments.map((treatment) => ({
      comparison: treatment,
      reference: pair.reference,
      cells: [...armCells(pair.reference, 0), ...armCells(treatment, 1)],
    })),
  );
}
