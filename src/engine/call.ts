import { setTimeout as sleep } from "node:timers/promises";
import { ProviderCallError } from "../errors.js";
import type { GenerateRequest, GenerateResult, Provider } from "../providers/types.js";
import { backoffDelay, type RetryPolicy } from "./backoff.js";
import { endpointHealth } from "./endpoint-health.js";
import type { Limiter } from "./limiter.js";

export interface CallOptions {
  retry: RetryPolicy;
  timeoutMs: number;
  /** Cancels waiting, backoff and the in-flight request (Ctrl+C). */
  signal: AbortSignal;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderCallError }) => void;
}

/**
 * In-flight attempt controllers per run signal: one listener on the run's signal
 * aborts them all, instead of one listener per request on a long-lived signal.
 */
const inFlightByRun = new WeakMap<AbortSignal, Set<AbortController>>();

function attemptsFor(signal: AbortSignal): Set<AbortController> {
  let set = inFlightByRun.get(signal);
  if (!set) {
    const created = new Set<AbortController>();
    set = created;
    inFlightByRun.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        for (const c of created) c.abort(signal.reason);
      },
      { once: true },
    );
  }
  return set;
}

export class CallFailed extends Error {
  override readonly name = "CallFailed";
  constructor(
    message: string,
    readonly attempts: number,
    readonly retryable: boolean,
    readonly status?: number,
    /** The endpoint refused connections on several calls in a row (see endpoint-health.ts). */
    readonly unreachable = false,
  ) {
    super(message);
  }

  /**
   * Failures that every later call to the same endpoint will repeat (bad key,
   * no access, unknown model, nothing listening): the run stops instead of failing each trial.
   */
  get fatal(): boolean {
    if (this.unreachable) return true;
    return !this.retryable && (this.status === 401 || this.status === 403 || this.status === 404);
  }
}

export class Cancelled extends Error {
  override readonly name = "Cancelled";
}

function asProviderError(
  err: unknown,
  signal: AbortSignal,
  timedOut: string | undefined,
): ProviderCallError {
  // Our own timeout fired: whatever the provider made of the abort, it is a retryable timeout.
  if (timedOut !== undefined && !signal.aborted) return new ProviderCallError(timedOut, true);
  if (err instanceof ProviderCallError) return err;
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
    // One controller per attempt, fired by the run's signal or the timeout. Cheaper than
    // AbortSignal.timeout + AbortSignal.any, whose dependants pile up on the run's signal.
    const attemptController = new AbortController();
    let timedOut: string | undefined;
    const timer = setTimeout(() => {
      timedOut = `${provider.ref}: request timed out after ${options.timeoutMs} ms`;
      attemptController.abort(new DOMException("request timed out", "TimeoutError"));
    }, options.timeoutMs);
    const running = attemptsFor(options.signal);
    running.add(attemptController);
    try {
      if (options.signal.aborted) throw new Cancelled("cancelled");
      const result = await provider.generate({ ...request, signal: attemptController.signal });
      limiter.control.onSuccess();
      limiter.drain();
      endpointHealth(limiter).answered();
      return { result, attempts: attempt, latencyMs: performance.now() - started };
    } catch (err) {
      if (err instanceof Cancelled || options.signal.aborted) throw new Cancelled("cancelled");
      error = asProviderError(err, options.signal, timedOut);
    } finally {
      clearTimeout(timer);
      running.delete(attemptController);
      limiter.release();
    }
    if (error.status === 429) limiter.control.onRateLimited(Date.now());
    if (!error.retryable || attempt >= options.retry.maxAttempts) {
      const health = endpointHealth(limiter);
      if (!error.connectionFailed) health.answered();
      else if (health.unreachable()) {
        const failed = new CallFailed(
          `${error.message}\n${provider.ref}: unreachable on ${health.limit} calls in a row (${attempt} attempts each)`,
          attempt,
          error.retryable,
          error.status,
          true,
        );
        failed.cause = error;
        throw failed;
      }
      const failed = new CallFailed(error.message, attempt, error.retryable, error.status);
      // Kept so a stage can tell what kind of failure it was (e.g. an empty reply).
      failed.cause = error;
      throw failed;
    }
    const delayMs = backoffDelay(attempt, options.retry, random, error.retryAfterMs);
    options.onRetry?.({ attempt, delayMs, error });
    // The backoff is cancelled through the run's one listener too (attemptsFor): a listener
    // per waiting call took the run's signal past Node's limit of 10 whenever many calls were
    // in backoff at once, and users saw a MaxListenersExceededWarning.
    const waiting = new AbortController();
    const backingOff = attemptsFor(options.signal);
    backingOff.add(waiting);
    try {
      if (options.signal.aborted) throw new Cancelled("cancelled");
      await sleep(delayMs, undefined, { signal: waiting.signal });
    } catch {
      throw new Cancelled("cancelled");
    } finally {
      backingOff.delete(waiting);
    }
  }
}
