import { cachedCallModel } from "../engine/cached-call.js";
import type { CallOptions } from "../engine/call.js";
import type { StageCounters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import type { LanguageCode } from "../i18n/types.js";
import { judgeRequest, ruleVerdict, verdictFromJudgeOutput } from "../judge/judge-response.js";
import { ruleJudgeVerdict } from "../judge/rule-judge.js";
import type { RefusalRule } from "../judge/run-judge.js";
import { inMode, type StructuredMode } from "../judge/structured.js";
import type { UnparseableGuard } from "../judge/unparseable-guard.js";
import type { GenerationParams, Item, Judgment } from "../types.js";

export interface JudgeContext {
  /** The id verdicts are stored under (for a mixed set-up, runJudgeId's composite id). */
  id: string;
  /** Absent: the rule judge, no model at all. */
  endpoint?: Endpoint;
  params: GenerationParams;
  cache?: ResponseCache;
  /** How the judge is asked for JSON (decided by the preflight); json_schema when absent. */
  structured?: StructuredMode;
  /** Counts the model's verdicts; `onUnparseableLimit` fires once too many are unparseable. */
  guard?: UnparseableGuard;
  onUnparseableLimit?: () => void;
  /** How refusals are found (default: the study's phrase rule). */
  refusals?: RefusalRule;
  /** Tasks with a judge of their own (`tasks[].judge`). */
  tasks?: ReadonlyMap<string, JudgeContext>;
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
  /** The trial's language: the judge's instructions are written in it. */
  language: LanguageCode = "en",
): Promise<Verdict> {
  const own = judge.tasks?.get(item.task) ?? judge;
  if (!own.endpoint) {
    // The config refuses `rule` for a task no rule can score, so this is only a safety net.
    return (
      ruleJudgeVerdict(item, text) ?? { label: "ERROR", rationale: `no rule scores ${item.task}` }
    );
  }
  const rule = ruleVerdict(item, text, own.refusals);
  if (rule) return rule;
  const { result, cached } = await cachedCallModel(
    own.cache,
    0,
    own.endpoint.provider,
    own.endpoint.limiter,
    inMode(
      { ...judgeRequest(item, text, own.refusals, language), params: own.params },
      own.structured ?? "json_schema",
    ),
    call,
  );
  if (cached) counters.cacheHits++;
  counters.promptTokens += result.promptTokens ?? 0;
  counters.completionTokens += result.completionTokens ?? 0;
  const verdict = verdictFromJudgeOutput(result.text, item.task, own.refusals);
  if (judge.guard?.record(verdict.label, verdict.raw)) judge.onUnparseableLimit?.();
  return verdict;
}
