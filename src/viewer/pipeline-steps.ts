import type { Db } from "../store/open.js";

/** The answer-then-restyle subject's steps for one trial, as the viewer shows them. */
export interface PipelineStepsView {
  plainText: string;
  restyledText: string | null;
  checkMethod: "rule" | "judge" | null;
  checkResult: "confirmed" | "changed" | "unparseable" | "skipped" | null;
  checkRationale: string | null;
  checkJudge: string | null;
  /** null until the check has decided. */
  fallback: boolean | null;
}

/** A pipeline trial's steps; undefined for other subjects or a store older than the table. */
export function readPipelineSteps(db: Db, id: string): PipelineStepsView | undefined {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pipeline_steps'")
    .get();
  if (!exists) return undefined;
  const row = db
    .prepare(
      `SELECT plain_text AS plainText, restyled_text AS restyledText, check_method AS checkMethod,
              check_result AS checkResult, check_rationale AS checkRationale,
              check_judge AS checkJudge, fallback
         FROM pipeline_steps WHERE trial_id = ?`,
    )
    .get(id) as (Omit<PipelineStepsView, "fallback"> & { fallback: 0 | 1 | null }) | undefined;
  if (!row) return undefined;
  return { ...row, fallback: row.fallback === null ? null : row.fallback === 1 };
}
