import { cachedCallModel } from "../engine/cached-call.js";
import type { CallOptions } from "../engine/call.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { judgeRequest, ruleVerdict, verdictFromJudgeOutput } from "../judge/judge-response.js";
import { inMode, type StructuredMode } from "../judge/structured.js";
import type { UnparseableGuard } from "../judge/unparseable-guard.js";
import type { GenerationParams, Item, Judgment } from "../types.js";
import type { Endpoint } from "./execute.js";
import type { StageCounters } from "./progress.js";

export interface JudgeContext {
  id: string;
  endpoint: Endpoint;
  params: GenerationParams;
  cache?: ResponseCache;
  /** How the judge is asked for JSON (decided by the preflight); json_schema when absent. */
  structured?: StructuredMode;
  /** Counts the model's verdicts; `onUnparseableLimit` fires once too many are unparseable. */
  guard?: UnparseableGuard;
  onUnparseableLimit?: () => void;
}

export type Verdict = Pick<Judgment, "label" | "rationale" | "raw">;

/**
 * Judges one text for an item: rules first (refusals, control scorers), then
 * the LLM judge. Throws Cancelled or CallFailed from the engine.
 */
export async function judgeText(
  item: Item,
  text: string,
  judge: JudgeContext,
  call: CallOptions,
  counters: StageCounters,
): Promise<Verdict> {
  const rule = ruleVerdict(item, text);
  if (rule) return rule;
  const { result, cached } = await cachedCallModel(
    judge.cache,
    0,
    judge.endpoint.provider,
    judge.endpoint.limiter,
    inMode(
      { ...judgeRequest(item, text), params: judge.params },
      judge.structured ?? "json_schema",
    ),
    call,
  );
  if (cached) counters.cacheHits++;
  counters.promptTokens += result.promptTokens ?? 0;
  counters.completionTokens += result.completionTokens ?? 0;
  const verdict = verdictFromJudgeOutput(result.text);
  if (judge.guard?.record(verdict.label, verdict.raw)) judge.onUnparseableLimit?.();
  return verdict;
}
