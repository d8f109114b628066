/**
 * A decode barrier: the busy sequences of one context enter llama.cpp's queue together.
 *
 * node-llama-cpp 3.21.1 dispatches a batch one event-loop turn after the first sequence queues
 * a token, and its dispatch loop takes whatever is queued when a decode ends. Each decode reads
 * every weight once, whatever the number of rows, so a batch of 8 steps costs about what a batch
 * of 3 does. LlamaChat needs more event-loop turns per token than a bare `sequence.evaluate`,
 * so with 8 sequences its steps fell into batches of 1–4 (bench/llama/throughput.ts measured
 * provider ÷ engine 0.70–0.93). The barrier holds each sequence's decode request until every
 * busy sequence has one, then hands them all to node-llama-cpp in the same turn: whatever its
 * scheduler does next, it sees all of them.
 *
 * A busy sequence that has not queued yet is either about to (its own JavaScript between two
 * tokens) or about to finish (then the pool releases it and calls `wake`). A fallback timer
 * flushes anyway, so a sequence that is stuck elsewhere costs speed, never progress.
 */

/** Longest a queued decode waits for the other busy sequences (a safety net, not a tuning knob). */
export const BARRIER_FALLBACK_MS = 25;

interface Held {
  args: unknown[];
  sequenceId: number | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type DecodeFn = (...args: unknown[]) => Promise<unknown>;

export class DecodeBarrier {
  private held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private decode: DecodeFn | undefined;
  /** Decode requests handed on, and how many were handed on in one go (for the bench). */
  readonly stats = { flushes: 0, requests: 0 };

  private constructor(private readonly busy: () => number) {}

  /**
   * Wraps the context's private `_decodeTokens` (node-llama-cpp 3.21.1). Undefined when the
   * method is missing: the caller then runs without a barrier, as node-llama-cpp schedules.
   */
  static install(context: object, busy: () => number): DecodeBarrier | undefined {
    const original: unknown = Reflect.get(context, "_decodeTokens");
    if (typeof original !== "function") return undefined;
    const barrier = new DecodeBarrier(busy);
    barrier.decode = (original as DecodeFn).bind(context);
    Reflect.set(context, "_decodeTokens", (...args: unknown[]) => barrier.enter(args));
    return barrier;
  }

  private enter(args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const first: unknown = args[0];
      const id =
        typeof first === "object" && first !== null ? Reflect.get(first, "sequenceId") : undefined;
      this.held.push({
        args,
        sequenceId: typeof id === "number" ? id : undefined,
        resolve,
        reject,
      });
      this.wake();
    });
  }

  /** Re-checks the barrier; called on every request and whenever a sequence becomes idle. */
  wake(): void {
    if (this.held.length === 0) return;
    const waiting = new Set(this.held.map((h) => h.sequenceId)).size;
    if (waiting >= this.busy()) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), BARRIER_FALLBACK_MS);
  }

  /** Hands every held request on now (also on close, so nothing waits on a closed provider). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.held.sort((a, b) => (a.sequenceId ?? 0) - (b.sequenceId ?? 0));
    this.held = [];
    if (batch.length === 0 || !this.decode) return;
    this.stats.flushes++;
    this.stats.requests += batch.length;
    for (const h of batch) {
      try {
        this.decode(...h.args).then(h.resolve, h.reject);
      } catch (err) {
        h.reject(err);
      }
    }
  }
}
