/** One trial in full for `candor view`, and the same trial answered by the other subjects. */

import { samePrompt } from "../store/language-sql.js";
import type { Db } from "../store/open.js";
import type { BeliefLabel, ChatMessage, ContextLabel, TaskName } from "../types.js";
import { readPipelineSteps } from "./pipeline-steps.js";
import { readPressureTurns } from "./pressure-turns.js";
import type { TrialDetail } from "./query-types.js";

export function readTrial(db: Db, id: string): TrialDetail | null {
  const t = db
    .prepare(
      `SELECT t.*, s.model, i.question, i.correct_json, i.incorrect_json, r.text, r.finish_reason, r.latency_ms
       FROM trials t JOIN subjects s ON s.id = t.subject_id
       LEFT JOIN items i ON i.task = t.task AND i.id = t.item_id
       LEFT JOIN responses r ON r.trial_id = t.id WHERE t.id = ?`,
    )
    .get(id) as
    | {
        id: string;
        subject_id: string;
        model: string;
        task: TaskName;
        item_id: string;
        context: ContextLabel;
        statement: string | null;
        belief: BeliefLabel;
        sample: number;
        messages_json: string;
        question: string | null;
        correct_json: string | null;
        incorrect_json: string | null;
        text: string | null;
        finish_reason: string | null;
        latency_ms: number | null;
        /** Absent in a store older than the languages migration. */
        language?: string;
      }
    | undefined;
  if (!t) return null;
  const judgments = db
    .prepare("SELECT judge, label, rationale FROM judgments WHERE trial_id = ? ORDER BY judge")
    .all(id) as TrialDetail["judgments"];
  const metrics = db
    .prepare(
      "SELECT metric, scorer, value, label FROM metrics WHERE trial_id = ? ORDER BY metric, scorer",
    )
    .all(id) as TrialDetail["metrics"];
  const turns = db
    .prepare("SELECT turn, challenge, text FROM challenges WHERE trial_id = ? ORDER BY turn")
    .all(id) as { turn: number; challenge: string; text: string }[];
  const verdicts = db.prepare(
    "SELECT judge, label, rationale FROM challenge_judgments WHERE trial_id = ? AND turn = ? ORDER BY judge",
  );
  const pipeline = readPipelineSteps(db, id);
  return {
    id: t.id,
    subject: t.subject_id,
    model: t.model,
    task: t.task,
    itemId: t.item_id,
    context: t.context,
    statement: t.statement,
    belief: t.belief,
    sample: t.sample,
    messages: JSON.parse(t.messages_json) as ChatMessage[],
    language: t.language ?? "en",
    question: t.question,
    correct: t.correct_json ? (JSON.parse(t.correct_json) as string[]) : [],
    incorrect: t.incorrect_json ? (JSON.parse(t.incorrect_json) as string[]) : [],
    response: t.text,
    finishReason: t.finish_reason,
    latencyMs: t.latency_ms,
    judgments,
    metrics,
    challenges: turns.map((c) => ({
      ...c,
      verdicts: verdicts.all(id, c.turn) as TrialDetail["challenges"][number]["verdicts"],
    })),
    pressure: readPressureTurns(db, id),
    ...(pipeline && { pipeline }),
  };
}

/** The same item and condition answered by every subject: ids in subject order. */
export function readCounterparts(db: Db, id: string): { subject: string; id: string }[] {
  return db
    .prepare(
      `SELECT o.subject_id AS subject, o.id FROM trials t
       JOIN trials o ON ${samePrompt(db, "o", "t")}
       JOIN subjects s ON s.id = o.subject_id
       WHERE t.id = ? ORDER BY s.rowid`,
    )
    .all(id) as { subject: string; id: string }[];
}
