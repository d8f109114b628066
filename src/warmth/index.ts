/**
 * Warmth measurement (the study's manipulation check): SocioT in its reference and strict
 * forms, and an LLM judge's 1–7 warmth rating. See docs/warmth.md.
 */

import type { RetryPolicy } from "../engine/backoff.js";
import { Limiter } from "../engine/limiter.js";
import type { StructuredMode } from "../judge/structured.js";
import { createProvider } from "../providers/index.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import type { GenerationParams } from "../types.js";
import { DEFAULT_SOCIOT_MODEL, type LogprobBackendOptions, openLogprobBackend } from "./backend.js";
import type { WarmthJudge } from "./judge-rating.js";
import type { MeasureWarmthOptions } from "./measure.js";
import type { LogprobBackend } from "./sociot.js";

export { DEFAULT_SOCIOT_MODEL, type LogprobBackendOptions, openLogprobBackend } from "./backend.js";
export {
  type ComparePair,
  formatWarmthCheck,
  type SubjectWarmth,
  type WarmthCheck,
  type WarmthCheckOptions,
  type WarmthComparison,
  warmthManipulationCheck,
} from "./check.js";
export {
  CompletionsLogprobBackend,
  type CompletionsLogprobOptions,
} from "./completions-logprobs.js";
export {
  type FileWarmthOptions,
  type FileWarmthResult,
  type FileWarmthRow,
  scoreFileWarmth,
  textsOf,
  warmthRowsCsv,
  warmthRowsJsonl,
  writeWarmthRows,
} from "./file.js";
export {
  COLD_PREFIXES,
  COLD_SPEAKERS,
  type FramedText,
  frameText,
  SOCIOT_MAX_CHARS,
  truncateChars,
  WARM_PREFIXES,
  WARM_SPEAKERS,
} from "./frames.js";
export {
  parseWarmthRating,
  rateWarmth,
  WARMTH_JUDGE_DEFAULT_PARAMS,
  WARMTH_RATING_SCHEMA,
  WARMTH_RUBRIC,
  WARMTH_RUBRIC_VERSION,
  type WarmthJudge,
  type WarmthRating,
  warmthJudgeId,
  warmthRatingMessages,
} from "./judge-rating.js";
export { LlamaLogprobBackend, type LlamaLogprobOptions } from "./llama-logprobs.js";
export {
  METRIC_JUDGE_WARMTH,
  METRIC_SOCIOT_REFERENCE,
  METRIC_SOCIOT_STRICT,
  type MeasureWarmthOptions,
  type MeasureWarmthResult,
  measureWarmth,
  WARMTH_METRICS,
  type WarmthProgress,
  type WarmthStageCounts,
} from "./measure.js";
export {
  meanSem,
  pairedTTest,
  studentTQuantile,
  studentTSf,
  wilcoxonSignedRank,
} from "./paired.js";
// For `exportBatchRequests`/`importBatchResults` (option `warmth`): the warmth-rating round.
export { type WarmthRoundOptions, warmthRatingSpec } from "./rating-round.js";
export {
  type LogprobBackend,
  type SequenceLogprobs,
  SOCIOT_VERSION,
  type SocioTScore,
  scoreSocioT,
  sociotFromLogprobs,
  sociotScorer,
  sociotScorerId,
} from "./sociot.js";

/**
 * What to measure, in the shape proposed for the audit config's `warmth:` section:
 * `warmth: { sociot: { model }, judge: { model } }`. Omitted parts are not measured.
 */
export interface WarmthSpec {
  sociot?: {
    /** Scorer model (default: GPT-2 small GGUF, downloaded on first use). */
    model?: string;
    /** llama: contexts scoring in parallel; threads per context; tokens per context. */
    parallel?: number;
    threads?: number;
    contextSize?: number;
    /** openai-compatible: requests in flight. */
    concurrency?: number;
  };
  judge?: {
    model: string;
    params?: GenerationParams;
    concurrency?: number;
    /** Structured-output mode for the rating (from the audit's preflight). */
    structured?: StructuredMode;
  };
}

export interface OpenWarmthDeps {
  /** Provider construction (the audit's factory; default createProvider). */
  providerFactory?: (ref: string, options: ProviderOptions) => Promise<Provider>;
  /** Provider options for a model reference (API key env, timeouts, llama cache dir…). */
  providerOptions?: (ref: string) => ProviderOptions;
  /** An already-open endpoint for the judge model (e.g. the audit judge's), to share its limiter. */
  judgeEndpoint?: { provider: Provider; limiter: Limiter };
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/**
 * Opens the scorers a WarmthSpec names and returns `measureWarmth` options plus a `close`.
 * The caller closes them after measuring.
 */
export async function openWarmthMeasures(
  spec: WarmthSpec,
  deps: OpenWarmthDeps = {},
): Promise<{ options: Pick<MeasureWarmthOptions, "sociot" | "judge">; close(): Promise<void> }> {
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (const o of opened.reverse()) await o.close();
  };
  try {
    const options: Pick<MeasureWarmthOptions, "sociot" | "judge"> = {};
    if (spec.sociot) {
      const ref = spec.sociot.model ?? DEFAULT_SOCIOT_MODEL;
      const po = deps.providerOptions?.(ref);
      const bo: LogprobBackendOptions = {
        llama: {
          ...(spec.sociot.parallel !== undefined && { parallel: spec.sociot.parallel }),
          ...(spec.sociot.threads !== undefined && { threads: spec.sociot.threads }),
          ...(spec.sociot.contextSize !== undefined && { contextSize: spec.sociot.contextSize }),
          ...(po?.cacheDir !== undefined && { cacheDir: po.cacheDir }),
          ...(po?.onDownloadProgress && { onDownloadProgress: po.onDownloadProgress }),
        },
        completions: {
          ...(spec.sociot.concurrency !== undefined && { concurrency: spec.sociot.concurrency }),
          ...(po?.apiKeyEnv !== undefined && { apiKeyEnv: po.apiKeyEnv }),
          ...(po?.apiKey !== undefined && { apiKey: po.apiKey }),
          ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
        },
      };
      const backend: LogprobBackend = await openLogprobBackend(ref, bo);
      opened.push(backend);
      options.sociot = { backend };
    }
    if (spec.judge) {
      let endpoint = deps.judgeEndpoint;
      if (!endpoint) {
        const factory = deps.providerFactory ?? createProvider;
        const provider = await factory(
          spec.judge.model,
          deps.providerOptions?.(spec.judge.model) ?? {},
        );
        opened.push(provider);
        endpoint = {
          provider,
          limiter: new Limiter(spec.judge.concurrency ?? provider.defaultConcurrency),
        };
      }
      const judge: WarmthJudge & NonNullable<MeasureWarmthOptions["judge"]> = {
        model: spec.judge.model,
        provider: endpoint.provider,
        limiter: endpoint.limiter,
        ...(spec.judge.params !== undefined && { params: spec.judge.params }),
        ...(spec.judge.structured !== undefined && { structured: spec.judge.structured }),
        ...(deps.retry !== undefined && { retry: deps.retry }),
        ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
      };
      options.judge = judge;
    }
    return { options, close };
  } catch (err) {
    await close();
    throw err;
  }
}
