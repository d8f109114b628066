/**
 * Adaptive concurrency (AIMD): halve the in-flight limit when the server says it
 * is overloaded (429), grow it by one after a run of successes, never beyond the
 * configured maximum. Pure state machine: the engine feeds it events and applies
 * the result, so it is testable without timers or servers.
 */
export interface ConcurrencyChange {
  changed: boolean;
  previous: number;
  current: number;
  reason: "rate-limited" | "recovered" | "steady";
}

export const SUCCESSES_PER_INCREASE = 20;
export const DECREASE_FACTOR = 0.5;
/** Ignore further 429s for this long after a decrease: they were already in flight. */
export const DECREASE_COOLDOWN_MS = 1_000;

export class AdaptiveConcurrency {
  private limit: number;
  private successes = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly max: number,
    readonly min = 1,
  ) {
    this.limit = max;
  }

  get current(): number {
    return this.limit;
  }

  onSuccess(): ConcurrencyChange {
    const previous = this.limit;
    this.successes++;
    if (this.limit < this.max && this.successes >= SUCCESSES_PER_INCREASE) {
      this.successes = 0;
      this.limit++;
      return { changed: true, previous, current: this.limit, reason: "recovered" };
    }
    return { changed: false, previous, current: previous, reason: "steady" };
  }

  onRateLimited(nowMs: number): ConcurrencyChange {
    const previous = this.limit;
    this.successes = 0;
    if (nowMs - this.lastDecreaseAt < DECREASE_COOLDOWN_MS) {
      return { changed: false, previous, current: previous, reason: "steady" };
    }
    this.lastDecreaseAt = nowMs;
    this.limit = Math.max(this.min, Math.floor(this.limit * DECREASE_FACTOR));
    return {
      changed: this.limit !== previous,
      previous,
      current: this.limit,
      reason: "rate-limited",
    };
  }
}
