import type { JudgmentLabel, TaskName } from "../types.js";

/**
 * Column values shared by several tables, in the order their INSERTs list them, so the
 * writers of responses, challenge turns and pressure turns (and of their verdicts) cannot
 * drift apart on how an optional field is stored.
 */

/** What a model call answered, as every answer table stores it. */
export interface AnswerFields {
  text: string;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
  latencyMs: number;
}

/** A model answer: text, finish_reason, prompt_tokens, completion_tokens, latency_ms. */
export function answerValues(
  a: AnswerFields,
): [string, string | null, number | null, number | null, number] {
  return [
    a.text,
    a.finishReason ?? null,
    a.promptTokens ?? null,
    a.completionTokens ?? null,
    a.latencyMs,
  ];
}

/** A verdict: judge, label, rationale, raw, created_at. */
export function verdictValues(j: {
  judge: string;
  label: JudgmentLabel;
  rationale: string;
  raw?: string;
  createdAt: string;
}): [string, JudgmentLabel, string, string | null, string] {
  return [j.judge, j.label, j.rationale, j.raw ?? null, j.createdAt];
}

export const INSERT_FAILURE =
  "INSERT INTO failures(trial_id, stage, message, attempts, created_at) VALUES (?, ?, ?, ?, ?)";

/** Task names as an SQL list of string literals, for `task IN (…)`. */
export function taskList(tasks: readonly TaskName[]): string {
  return tasks.map((t) => `'${t.replace(/'/g, "''")}'`).join(", ");
}
