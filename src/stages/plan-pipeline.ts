/**
 * `candor plan`'s count of a pipeline trial's extra calls (stages/pipeline-trial.ts): one
 * rewrite on the restyle model, and one claim check on the judge where the check is the judge's.
 */

import { RULE_MODEL } from "../judge/run-judge.js";
import { claimCheckMethod } from "../pipeline/claim-check.js";
import type { Subject, Trial } from "../types.js";

/** Rough size of the restyle instruction and the claim-check prompt beyond the texts they carry. */
const RESTYLE_PROMPT_TOKENS = 80;
const CHECK_PROMPT_TOKENS = 150;

export interface PipelineCallEstimate {
  restyle: { model: string; inputTokens: number; maxOutputTokens: number };
  /** Absent when the rule checks this task (no call). */
  check?: { inputTokens: number };
}

export function pipelineCallEstimate(
  subject: Pick<Subject, "model" | "pipeline">,
  trial: Pick<Trial, "task" | "params">,
  judgeModel: string,
): PipelineCallEstimate | undefined {
  const spec = subject.pipeline;
  if (!spec) return undefined;
  const maxOut = trial.params.maxTokens ?? 1024;
  const byJudge =
    claimCheckMethod(trial.task, spec.claimCheck) === "judge" && judgeModel !== RULE_MODEL;
  return {
    restyle: {
      model: spec.restyleModel ?? subject.model,
      inputTokens: maxOut + RESTYLE_PROMPT_TOKENS,
      maxOutputTokens: maxOut,
    },
    ...(byJudge && { check: { inputTokens: 2 * maxOut + CHECK_PROMPT_TOKENS } }),
  };
}
