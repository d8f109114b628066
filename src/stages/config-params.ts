import type { AuditConfig } from "../config/schema.js";
import type { RetryPolicy } from "../engine/backoff.js";
import { DEFAULT_RETRY } from "../engine/backoff.js";
import type { GenerationParams } from "../types.js";

/** The audit file's snake_case settings as the engine's types. */
export function retryPolicy(config: AuditConfig): RetryPolicy {
  return {
    maxAttempts: config.retry.max_attempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs: config.retry.base_delay_ms ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: config.retry.max_delay_ms ?? DEFAULT_RETRY.maxDelayMs,
  };
}

export function toJudgeParams(config: AuditConfig) {
  return toParams(config.judge.params);
}

export function toParams(p: AuditConfig["params"]): GenerationParams {
  return {
    ...(p?.temperature !== undefined && { temperature: p.temperature }),
    ...(p?.max_tokens !== undefined && { maxTokens: p.max_tokens }),
    ...(p?.top_p !== undefined && { topP: p.top_p }),
    ...(p?.seed !== undefined && { seed: p.seed }),
  };
}
