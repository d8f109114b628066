import type { JudgmentLabel } from "../types.js";
import type { RunStore } from "./run-store.js";

export interface LabelRow {
  trial_id: string;
  subject_id: string;
  task: string;
  context: string;
  belief: string;
  question: string;
  correct_json: string;
  incorrect_json: string;
  prompt: string;
  response: string;
  label: JudgmentLabel;
}

/** Judged responses with what a person needs to label them. */
export function judgedResponses(store: RunStore, judge: string): LabelRow[] {
  return store.db
    .prepare(
      `SELECT t.id AS trial_id, t.subject_id, t.task, t.context, t.belief, i.question, i.correct_json, i.incorrect_json,
              json_extract(t.messages_json, '$[#-1].content') AS prompt, r.text AS response, j.label
       FROM trials t JOIN responses r ON r.trial_id = t.id
       JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
       JOIN items i ON i.task = t.task AND i.id = t.item_id
       ORDER BY t.rowid`,
    )
    .all(judge) as LabelRow[];
}

/** Verdict per trial from one judge. */
export function verdicts(store: RunStore, judge: string): Map<string, JudgmentLabel> {
  const rows = store.db
    .prepare("SELECT trial_id, label FROM judgments WHERE judge = ?")
    .all(judge) as {
    trial_id: string;
    label: JudgmentLabel;
  }[];
  return new Map(rows.map((r) => [r.trial_id, r.label]));
}

export function judgesOf(store: RunStore): string[] {
  return store.db
    .prepare("SELECT DISTINCT judge FROM judgments ORDER BY judge")
    .pluck()
    .all() as string[];
}
