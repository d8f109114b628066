/**
 * One trial of a `pipeline: answer_then_restyle` subject: the plain answer, its warm rewrite,
 * the claim check, each written to `pipeline_steps` before the next call, so a crash resumes
 * at the missing step. The result stands in for the subject's one model call; judging,
 * challenge and warmth rating then treat it like any subject's response.
 */
import { type PipelineSpec, pipelineSpec } from "../config/pipeline.js";
import type { AuditConfig } from "../config/schema.js";
import { type PipelineTexts, pipelineTexts, restyleMessages } from "../design/pipeline.js";
import { cachedCallModel } from "../engine/cached-call.js";
import type { CallOptions } from "../engine/call.js";
import type { StageCounters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { inMode } from "../judge/structured.js";
import {
  CLAIM_CHECK_VERSION,
  type ClaimCheck,
  claimCheckMethod,
  claimCheckRequest,
  parseClaimCheck,
  ruleClaimCheck,
} from "../pipeline/claim-check.js";
import { finalResponse, nextStep } from "../pipeline/steps.js";
import type { GenerateRequest, GenerateResult } from "../providers/types.js";
import { redactModelRef } from "../redact.js";
import {
  type PipelineStepRow,
  pipelineStep,
  recordCheck,
  recordPlain,
  recordRestyle,
  type StepCall,
} from "../store/pipeline-steps.js";
import type { RunStore } from "../store/run-store.js";
import type { Item, Trial } from "../types.js";
import { EMPTY_FINISH, isEmptyReplyFailure, replyVerdict } from "./reply-outcome.js";
import type { JudgeContext } from "./verdict.js";

/** A pipeline subject's settings and the endpoint that rewrites (the subject's own by default). */
export interface PipelineSubject {
  spec: PipelineSpec;
  restyle: Endpoint;
}

export interface PipelineContext {
  store: RunStore;
  judge: JudgeContext;
  /** The generate stage's call options (plain answer and rewrite). */
  call: CallOptions;
  /** The judge stage's call options (claim check). */
  judgeCall: CallOptions;
  judgeCounters?: StageCounters;
  cache?: ResponseCache;
  texts?: PipelineTexts;
}

/** The pipeline subjects of an audit, with their rewrite endpoints. */
export function pipelineSubjects(
  subjects: AuditConfig["subjects"],
  endpoints: { subjects: ReadonlyMap<string, Endpoint>; restylers: ReadonlyMap<string, Endpoint> },
): Map<string, PipelineSubject> {
  const out = new Map<string, PipelineSubject>();
  for (const s of subjects) {
    const spec = pipelineSpec(s.pipeline);
    const own = endpoints.subjects.get(s.id);
    if (!spec || !own) continue;
    out.set(s.id, { spec, restyle: endpoints.restylers.get(s.id) ?? own });
  }
  return out;
}

/** One call that comes back as a step: an empty reply after every retry is a result (EMPTY). */
async function stepCall(
  endpoint: Endpoint,
  request: Omit<GenerateRequest, "signal">,
  sample: number,
  ctx: PipelineContext,
): Promise<{ step: StepCall; cached: boolean; latencyMs: number }> {
  try {
    const { result, cached, latencyMs } = await cachedCallModel(
      ctx.cache,
      sample,
      endpoint.provider,
      endpoint.limiter,
      request,
      ctx.call,
    );
    return { step: result, cached, latencyMs };
  } catch (err) {
    if (!isEmptyReplyFailure(err)) throw err;
    return { step: { text: "", finishReason: EMPTY_FINISH }, cached: false, latencyMs: 0 };
  }
}

async function claimCheck(
  item: Item,
  row: PipelineStepRow & { restyled_text: string },
  p: PipelineSubject,
  ctx: PipelineContext,
): Promise<ClaimCheck & { judge?: string }> {
  if (replyVerdict(row.restyled_finish))
    return {
      method: "rule",
      result: "changed",
      rationale: `the rewrite came back ${row.restyled_finish}: not confirmed`,
    };
  const own = ctx.judge.tasks?.get(item.task) ?? ctx.judge;
  const method = claimCheckMethod(item.task, p.spec.claimCheck);
  // A task judged by `rule` has no judge model; the config lets that happen only for rule-scorable tasks.
  if (method === "rule" || !own.endpoint)
    return ruleClaimCheck(item, row.plain_text, row.restyled_text);
  const { result } = await cachedCallModel(
    own.cache,
    0,
    own.endpoint.provider,
    own.endpoint.limiter,
    inMode(
      { ...claimCheckRequest(item, row.plain_text, row.restyled_text), params: own.params },
      own.structured ?? "json_schema",
    ),
    ctx.judgeCall,
  );
  if (ctx.judgeCounters) {
    ctx.judgeCounters.promptTokens += result.promptTokens ?? 0;
    ctx.judgeCounters.completionTokens += result.completionTokens ?? 0;
  }
  return {
    ...parseClaimCheck(result.text),
    judge: `${redactModelRef(own.endpoint.provider.ref)}#same-answer-${CLAIM_CHECK_VERSION}`,
  };
}

/**
 * Runs the missing steps of a pipeline trial and returns its final response as if it were the
 * subject's one call. Throws what the engine throws (Cancelled, CallFailed): the steps done so
 * far stay stored and the trial stays pending.
 */
export async function runPipelineTrial(
  trial: Trial,
  item: Item,
  subject: Endpoint,
  p: PipelineSubject,
  ctx: PipelineContext,
): Promise<{ result: GenerateResult; latencyMs: number; cached: boolean }> {
  const { store } = ctx;
  const texts = ctx.texts ?? pipelineTexts();
  let latencyMs = 0;
  let calls = 0;
  let cachedCalls = 0;
  const count = (c: { cached: boolean; latencyMs: number }) => {
    calls++;
    if (c.cached) cachedCalls++;
    latencyMs += c.latencyMs;
  };
  let row = pipelineStep(store, trial.id);
  if (nextStep(row) === "plain") {
    const plain = await stepCall(
      subject,
      { messages: trial.messages, params: trial.params },
      trial.sample,
      ctx,
    );
    count(plain);
    recordPlain(store, trial.id, plain.step);
    row = pipelineStep(store, trial.id);
  }
  if (!row) throw new Error(`pipeline step of trial ${trial.id} was not stored`);
  if (nextStep(row) === "restyle") {
    if (replyVerdict(row.plain_finish)) {
      recordCheck(store, trial.id, {
        method: null,
        result: "skipped",
        rationale: `the plain reply came back ${row.plain_finish}: nothing to rewrite`,
        fallback: false,
      });
    } else {
      const restyled = await stepCall(
        p.restyle,
        { messages: restyleMessages(row.plain_text, texts), params: trial.params },
        trial.sample,
        ctx,
      );
      count(restyled);
      recordRestyle(store, trial.id, restyled.step);
    }
    row = pipelineStep(store, trial.id) ?? row;
  }
  if (nextStep(row) === "check" && row.restyled_text !== null) {
    const check = await claimCheck(item, { ...row, restyled_text: row.restyled_text }, p, ctx);
    recordCheck(store, trial.id, { ...check, fallback: check.result !== "confirmed" });
    row = pipelineStep(store, trial.id) ?? row;
  }
  const final = finalResponse(row, texts);
  return {
    result: final,
    latencyMs,
    cached: calls > 0 && cachedCalls === calls,
  };
}
