/** Retry policy for model calls. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Delay before retry number `attempt` (1 = first retry): exponential backoff
 * with full jitter, so a burst of 429s does not come back as a synchronized burst.
 * A server's Retry-After wins when it asks for longer (capped at maxDelayMs).
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterMs !== undefined && retryAfterMs > jittered)
    return Math.min(retryAfterMs, policy.maxDelayMs);
  return jittered;
}
