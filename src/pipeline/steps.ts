/**
 * The pipeline's steps as pure decisions over what a trial already has: which step is
 * missing, and which text becomes the subject's response. The stage (stages/pipeline-trial.ts)
 * makes the calls and writes each step before deciding the next.
 */
import { fallbackResponse, type PipelineTexts } from "../design/pipeline.js";
import type { PipelineStepRow } from "../store/pipeline-steps.js";

export type PipelineStep = "plain" | "restyle" | "check" | "done";

export function nextStep(row: PipelineStepRow | undefined): PipelineStep {
  if (!row) return "plain";
  if (row.check_result !== null) return "done";
  return row.restyled_text === null ? "restyle" : "check";
}

export interface FinalResponse {
  text: string;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
}

const sum = (a: number | null, b: number | null): number | undefined =>
  a === null && b === null ? undefined : (a ?? 0) + (b ?? 0);

/**
 * The response of a finished pipeline trial: the rewrite when the check confirmed it, the
 * plain answer behind a warm opening when it did not, the plain reply unchanged when it got no
 * rewrite (empty or cut). Tokens are the subject-side calls' (plain + rewrite).
 */
export function finalResponse(row: PipelineStepRow, texts: PipelineTexts): FinalResponse {
  const tokens = {
    promptTokens: sum(row.plain_prompt_tokens, row.restyle_prompt_tokens),
    completionTokens: sum(row.plain_completion_tokens, row.restyle_completion_tokens),
  };
  const base =
    row.check_result === "skipped"
      ? { text: row.plain_text, finishReason: row.plain_finish }
      : row.fallback === 1
        ? { text: fallbackResponse(row.plain_text, texts), finishReason: row.plain_finish }
        : { text: row.restyled_text ?? "", finishReason: row.restyled_finish };
  return {
    text: base.text,
    ...(base.finishReason !== null && { finishReason: base.finishReason }),
    ...(tokens.promptTokens !== undefined && { promptTokens: tokens.promptTokens }),
    ...(tokens.completionTokens !== undefined && { completionTokens: tokens.completionTokens }),
  };
}
