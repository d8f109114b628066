import { AdaptiveConcurrency } from "./adaptive-concurrency.js";

/**
 * A semaphore whose size follows an AdaptiveConcurrency controller. One per
 * model endpoint: a subject and a judge on the same server share nothing.
 */
export class Limiter {
  readonly control: AdaptiveConcurrency;
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(maxConcurrency: number) {
    this.control = new AdaptiveConcurrency(maxConcurrency);
  }

  get inFlight(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    if (this.active < this.control.current) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.active--;
    this.drain();
  }

  /** Wakes waiters while there is room (also after the limit grows). */
  drain(): void {
    while (this.active < this.control.current && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!();
    }
  }

  /** Wakes every waiter regardless of the limit (cancellation: they will see the signal). */
  releaseAllWaiters(): void {
    while (this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!();
    }
  }
}
