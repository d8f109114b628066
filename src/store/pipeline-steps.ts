/**
 * Typed queries over `pipeline_steps`: one row per pipeline trial, written step by step and
 * synchronously (not through the batch writer), so a step is on disk before the next call
 * starts and a re-run never repeats a finished call.
 */
import type { RunStore } from "./run-store.js";

export interface PipelineStepRow {
  trial_id: string;
  plain_text: string;
  plain_finish: string | null;
  plain_prompt_tokens: number | null;
  plain_completion_tokens: number | null;
  restyled_text: string | null;
  restyled_finish: string | null;
  restyle_prompt_tokens: number | null;
  restyle_completion_tokens: number | null;
  check_method: "rule" | "judge" | null;
  check_result: "confirmed" | "changed" | "unparseable" | "skipped" | null;
  check_rationale: string | null;
  check_raw: string | null;
  check_judge: string | null;
  fallback: 0 | 1 | null;
}

export interface StepCall {
  text: string;
  finishReason?: string | undefined;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
}

export function pipelineStep(
  store: Pick<RunStore, "db">,
  trialId: string,
): PipelineStepRow | undefined {
  return store.db.prepare("SELECT * FROM pipeline_steps WHERE trial_id = ?").get(trialId) as
    | PipelineStepRow
    | undefined;
}

const now = () => new Date().toISOString();

export function recordPlain(store: RunStore, trialId: string, call: StepCall): void {
  store.db
    .prepare(
      `INSERT INTO pipeline_steps (trial_id, plain_text, plain_finish, plain_prompt_tokens,
         plain_completion_tokens, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      trialId,
      call.text,
      call.finishReason ?? null,
      call.promptTokens ?? null,
      call.completionTokens ?? null,
      now(),
      now(),
    );
}

export function recordRestyle(store: RunStore, trialId: string, call: StepCall): void {
  store.db
    .prepare(
      `UPDATE pipeline_steps SET restyled_text = ?, restyled_finish = ?, restyle_prompt_tokens = ?,
         restyle_completion_tokens = ?, updated_at = ? WHERE trial_id = ?`,
    )
    .run(
      call.text,
      call.finishReason ?? null,
      call.promptTokens ?? null,
      call.completionTokens ?? null,
      now(),
      trialId,
    );
}

export interface StepCheck {
  method: "rule" | "judge" | null;
  result: "confirmed" | "changed" | "unparseable" | "skipped";
  rationale: string;
  raw?: string | undefined;
  judge?: string | undefined;
  fallback: boolean;
}

export function recordCheck(store: RunStore, trialId: string, check: StepCheck): void {
  store.db
    .prepare(
      `UPDATE pipeline_steps SET check_method = ?, check_result = ?, check_rationale = ?,
         check_raw = ?, check_judge = ?, fallback = ?, updated_at = ? WHERE trial_id = ?`,
    )
    .run(
      check.method,
      check.result,
      check.rationale,
      check.raw ?? null,
      check.judge ?? null,
      check.fallback ? 1 : 0,
      now(),
      trialId,
    );
}

export interface PipelineCounts {
  subject: string;
  /** Trials whose claim check is done (the response is then fixed). */
  checked: number;
  confirmed: number;
  fallbacks: number;
  /** Plain replies that got no rewrite (empty or cut replies, left unscored as they are). */
  skipped: number;
  byMethod: { rule: number; judge: number };
}

/** Per pipeline subject: finished checks, confirmed rewrites and fallbacks taken. */
export function pipelineCounts(store: RunStore): PipelineCounts[] {
  // A store opened read-only from an older candor has no such table: no pipeline subjects.
  const exists = store.db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pipeline_steps'")
    .get();
  if (!exists) return [];
  const rows = store.db
    .prepare(
      `SELECT t.subject_id AS subject,
              count(*) AS checked,
              coalesce(sum(p.check_result = 'confirmed'), 0) AS confirmed,
              coalesce(sum(p.fallback = 1), 0) AS fallbacks,
              coalesce(sum(p.check_result = 'skipped'), 0) AS skipped,
              coalesce(sum(p.check_method = 'rule'), 0) AS rule,
              coalesce(sum(p.check_method = 'judge'), 0) AS judge
         FROM pipeline_steps p JOIN trials t ON t.id = p.trial_id
        WHERE p.check_result IS NOT NULL
        GROUP BY t.subject_id ORDER BY t.subject_id`,
    )
    .all() as (Omit<PipelineCounts, "byMethod"> & { rule: number; judge: number })[];
  return rows.map(({ rule, judge, ...r }) => ({ ...r, byMethod: { rule, judge } }));
}
