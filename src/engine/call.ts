import { setTimeout as sleep } from "node:timers/promises";
import { ProviderCallError } from "../errors.js";
import type { GenerateRequest, GenerateResult, Provider } from "../providers/types.js";
import { backoffDelay, type RetryPolicy } from "./backoff.js";
import type { Limiter } from "./limiter.js";

export interface CallOptions {
  retry: RetryPolicy;
  timeoutMs: number;
  /** Cancels waiting, backoff and the in-flight request (Ctrl+C). */
  signal: AbortSignal;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderCallError }) => void;
}

export class CallFailed extends Error {
  override readonly name = "CallFailed";
  constructor(
    message: string,
    readonly attempts: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class Cancelled extends Error {
  override readonly name = "Cancelled";
}

function asProviderError(
  err: unknown,
  signal: AbortSignal,
  timeoutSignal: AbortSignal,
): ProviderCallError {
  if (err instanceof ProviderCallError) return err;
  if (timeoutSignal.aborted && !signal.aborted)
    return new ProviderCallError("request timed out", true);
  const message = err instanceof Error ? err.message : String(err);
  // Unknown errors (network stack, engine) are worth another try; bad requests come typed.
  return new ProviderCallError(message, true);
}

/**
 * One model call with the engine's rules: waits for a slot, applies the
 * per-request timeout, retries retryable failures with backoff (honouring
 * Retry-After), and adapts the endpoint's concurrency on 429.
 */
export async function callModel(
  provider: Provider,
  limiter: Limiter,
  request: Omit<GenerateRequest, "signal">,
  options: CallOptions,
): Promise<{ result: GenerateResult; attempts: number; latencyMs: number }> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) throw new Cancelled("cancelled");
    await limiter.acquire();
    let error: ProviderCallError;
    const started = performance.now();
    const timeoutSignal = AbortSignal.timeout(options.timeoutMs);
    try {
      if (options.signal.aborted) throw new Cancelled("cancelled");
      const result = await provider.generate({
        ...request,
        signal: AbortSignal.any([options.signal, timeoutSignal]),
      });
      limiter.control.onSuccess();
      limiter.drain();
      return { result, attempts: attempt, latencyMs: performance.now() - started };
    } catch (err) {
      if (err instanceof Cancelled || options.signal.aborted) throw new Cancelled("cancelled");
      error = asProviderError(err, options.signal, timeoutSignal);
    } finally {
      limiter.release();
    }
    if (error.status === 429) limiter.control.onRateLimited(Date.now());
    if (!error.retryable || attempt >= options.retry.maxAttempts) {
      throw new CallFailed(error.message, attempt, error.retryable);
    }
    const delayMs = backoffDelay(attempt, options.retry, random, error.retryAfterMs);
    options.onRetry?.({ attempt, delayMs, error });
    try {
      await sleep(delayMs, undefined, { signal: options.signal });
    } catch {
      throw new Cancelled("cancelled");
    }
  }
}
