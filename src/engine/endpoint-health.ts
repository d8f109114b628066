import type { Limiter } from "./limiter.js";

/**
 * Calls in a row, to one endpoint, that ended (after all their retries) without ever reaching
 * the server before the run stops. Each such call already backed off several times, so three
 * in a row means the endpoint is down, not blinking; stopping beats recording every trial as a
 * failure (a judge on a dead port was once retried 1,065 times over 216 trials).
 */
export const UNREACHABLE_AFTER_CALLS = 3;

/** Consecutive unreachable calls of one endpoint; any answer from it resets the count. */
export class EndpointHealth {
  private unreachableCalls = 0;

  constructor(readonly limit = UNREACHABLE_AFTER_CALLS) {}

  answered(): void {
    this.unreachableCalls = 0;
  }

  /** Records a call that never reached the server; true once the endpoint counts as down. */
  unreachable(): boolean {
    this.unreachableCalls++;
    return this.unreachableCalls >= this.limit;
  }
}

// One per endpoint: the limiter is the endpoint's identity in the engine.
const byLimiter = new WeakMap<Limiter, EndpointHealth>();

export function endpointHealth(limiter: Limiter): EndpointHealth {
  let h = byLimiter.get(limiter);
  if (!h) {
    h = new EndpointHealth();
    byLimiter.set(limiter, h);
  }
  return h;
}
