import type { Db } from "../store/open.js";
import { type PipelineStepRow, pipelineStep } from "../store/pipeline-steps.js";

/** The answer-then-restyle subject's steps for one trial, as the viewer shows them. */
export type PipelineStepsView = Pick<
  PipelineStepRow,
  | "plain_text"
  | "restyled_text"
  | "check_method"
  | "check_result"
  | "check_rationale"
  | "check_judge"
  | "fallback"
>;

/** A pipeline trial's steps; undefined for other subjects or a store older than the table. */
export function readPipelineSteps(db: Db, id: string): PipelineStepsView | undefined {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pipeline_steps'")
    .get();
  return exists ? pipelineStep({ db }, id) : undefined;
}
