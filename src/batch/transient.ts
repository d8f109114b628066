import { setTimeout as sleep } from "node:timers/promises";
import { ProviderCallError } from "../errors.js";

/** Submit/poll failures that may pass: retried this many times with growing waits. */
const TRANSIENT_TRIES = 6;

/** Retries a submit or poll that failed in a way that may pass (network, 5xx, 429). */
export async function transient<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = err instanceof ProviderCallError && err.retryable;
      if (!retryable || attempt >= TRANSIENT_TRIES || signal.aborted) throw err;
      await sleep(Math.min(30_000, 500 * 2 ** attempt), undefined, { signal });
    }
  }
}
