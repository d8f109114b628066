/**
 * A Provider whose calls go through a Batch API. The pipeline calls `generate` as it would a
 * live model; requests are collected into batches, recorded in the run store, submitted,
 * polled, and each call resolves when its result comes back (matched by custom_id, in any
 * order). Every waiting call holds its request and promise in memory, so generation, verdicts,
 * challenges and warmth ratings go through store-driven rounds instead (round.ts,
 * stages/batch-rounds.ts, warmth/rating-batch.ts); this path serves `cache: true` runs, batches
 * an earlier candor submitted under content keys, and whatever a round hands back (`handOff`).
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { BatchSettings } from "../config/batch.js";
import { ProviderCallError } from "../errors.js";
import { abortedError } from "../providers/call-errors.js";
import type { GenerateRequest, GenerateResult, Provider } from "../providers/types.js";
import type { BatchBackend, BatchOutcome } from "./backend.js";
import {
  type BatchStore,
  decodeResult,
  encodeResult,
  isRoundJob,
  type RequestState,
} from "./batch-store.js";
import type { BatchCounters } from "./counters.js";
import { requestKey } from "./request-key.js";
import { transient } from "./transient.js";

/** What happens to a request a round handed back to the pipeline. */
export type Handoff = { live: true } | { live: false; message: string };

interface Waiter {
  customId: string;
  /** The request (sharing the caller's strings); serialized only when its batch is sent. */
  req: GenerateRequest;
  /** Size of its batch line, for the byte limit. */
  bytes: number;
  attempts: number;
  resolve: (r: GenerateResult) => void;
  reject: (e: Error) => void;
  cancelled: boolean;
}

/** Results are written and handed out in chunks, so a 50,000-line file is never all in memory. */
const RESULT_CHUNK = 2_000;

export class BatchProvider implements Provider {
  readonly defaultConcurrency: number;
  private readonly waiters = new Map<string, Waiter>();
  private readonly claimed = new Set<string>();
  private readonly polling = new Set<string>();
  private readonly stop = new AbortController();
  private queue: Waiter[] = [];
  private queueBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastQueueSize = -1;
  private readonly maxRequests: number;
  /** Requests a store-driven round gave up on or left for live calls (see round.ts). */
  private readonly handoffs = new Map<string, Handoff[]>();

  constructor(
    readonly ref: string,
    readonly backend: BatchBackend,
    readonly store: BatchStore,
    readonly settings: BatchSettings,
    readonly counters: BatchCounters,
    /** The live provider, for `retry: live`. */
    readonly live?: Provider,
  ) {
    // One sleep per polled batch listens on it.
    setMaxListeners(0, this.stop.signal);
    this.maxRequests = Math.min(settings.max_requests ?? Infinity, backend.limits.maxRequests);
    // Enough in flight to fill two batches: the next one is collected while one is out.
    this.defaultConcurrency = Math.min(200_000, this.maxRequests * 2);
  }

  /** Resumes polling the batches an earlier, interrupted run submitted for this model. */
  resume(): void {
    // Rounds (round.ts) resume their own batches.
    for (const job of this.store.openJobs(this.ref).filter((j) => !isRoundJob(j.id))) {
      // Recorded but never sent: its requests are simply asked for again.
      if (job.remoteId === null) this.store.ended(job.id, "abandoned");
      else {
        this.counters.batchesSubmitted++;
        this.counters.requests += job.requests;
        this.poll(job.id, job.remoteId);
      }
    }
  }

  /**
   * A round could not finish this request: the pipeline's next call for it fails with the
   * round's message (recorded like any failed call) or goes live, instead of another batch.
   */
  handOff(req: Omit<GenerateRequest, "signal">, what: Handoff): void {
    const key = requestKey(this.ref, req);
    const list = this.handoffs.get(key);
    if (list) list.push(what);
    else this.handoffs.set(key, [what]);
  }

  generate(req: GenerateRequest): Promise<GenerateResult> {
    const key = requestKey(this.ref, req);
    const handed = this.handoffs.get(key)?.shift();
    if (handed) {
      if (this.handoffs.get(key)?.length === 0) this.handoffs.delete(key);
      if (handed.live && this.live) return this.live.generate(req);
      const message = handed.live ? "no live provider" : handed.message;
      return Promise.reject(new ProviderCallError(`${this.ref}: batch request: ${message}`, false));
    }
    let customId = "";
    let row: ReturnType<BatchStore["latestFor"]>;
    for (let n = 0; ; n++) {
      customId = `${key}-${n}`;
      if (this.claimed.has(customId)) continue;
      row = this.store.latestFor(customId);
      if (row?.state !== "delivered") break;
    }
    this.claimed.add(customId);
    if (row?.state === "done" && row.result !== null) {
      this.store.update([
        { batchId: row.batchId, customId, state: "delivered", result: row.result },
      ]);
      this.counters.resumed++;
      return Promise.resolve(decodeResult(row.result));
    }
    return new Promise<GenerateResult>((resolve, reject) => {
      const { signal: _signal, ...request } = req;
      const w: Waiter = {
        customId,
        req: request,
        bytes: Buffer.byteLength(this.backend.line(customId, req)) + 1,
        attempts: 0,
        resolve,
        reject,
        cancelled: false,
      };
      this.waiters.set(customId, w);
      const signal = req.signal;
      if (signal) {
        // The engine's per-request timeout does not apply to a batch (up to 24 h); Ctrl+C does.
        const onAbort = () => {
          const reason: unknown = signal.reason;
          if (reason instanceof Error && reason.name === "TimeoutError") return;
          this.waiters.delete(customId);
          w.cancelled = true;
          reject(abortedError(this.ref, signal));
        };
        signal.addEventListener("abort", onAbort, { once: true });
      }
      const inFlight = row?.state === "pending" && this.polling.has(row.batchId);
      if (inFlight) this.counters.resumed++;
      else this.enqueue(w);
    });
  }

  private enqueue(w: Waiter): void {
    const bytes = w.bytes;
    if (
      this.queue.length + 1 > this.maxRequests ||
      this.queueBytes + bytes > this.backend.limits.maxBytes
    ) {
      this.flush();
    }
    this.queue.push(w);
    this.queueBytes += bytes;
    if (!this.timer) this.armTimer();
  }

  /** Sends the queue once it has stopped growing for `collect_ms`. */
  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.queue.length === 0) return;
      if (this.queue.length === this.lastQueueSize) this.flush();
      else {
        this.lastQueueSize = this.queue.length;
        this.armTimer();
      }
    }, this.settings.collect_ms);
  }

  private flush(): void {
    const batch = this.queue.filter((w) => !w.cancelled);
    this.queue = [];
    this.queueBytes = 0;
    this.lastQueueSize = -1;
    if (batch.length === 0) return;
    const localId = randomUUID();
    // Recorded before it is sent: a killed run finds it and polls instead of paying twice.
    this.store.recordBatch(
      localId,
      this.ref,
      batch.map((w) => w.customId),
    );
    void this.submit(localId, batch);
  }

  private async submit(localId: string, batch: Waiter[]): Promise<void> {
    const lines = batch.map((w) => this.backend.line(w.customId, w.req));
    let remoteId: string;
    try {
      remoteId = await this.transient(() => this.backend.submit(lines, localId, this.stop.signal));
    } catch (err) {
      this.store.ended(localId, "abandoned");
      for (const w of batch) this.settle(w, err as Error);
      return;
    }
    this.store.submitted(localId, remoteId);
    this.counters.batchesSubmitted++;
    this.counters.requests += batch.length;
    this.poll(localId, remoteId);
  }

  private transient<T>(fn: () => Promise<T>): Promise<T> {
    return transient(this.stop.signal, fn);
  }

  private poll(localId: string, remoteId: string): void {
    this.polling.add(localId);
    void this.pollLoop(localId, remoteId)
      .catch((err: unknown) => {
        if (this.stop.signal.aborted) return;
        for (const id of this.store.customIds(localId)) {
          const w = this.waiters.get(id);
          if (w) this.settle(w, err as Error);
        }
      })
      .finally(() => this.polling.delete(localId));
  }

  private async pollLoop(localId: string, remoteId: string): Promise<void> {
    const signal = this.stop.signal;
    let status = await this.transient(() => this.backend.status(remoteId, signal));
    while (status.state === "running") {
      await sleep(this.settings.poll_seconds * 1000, undefined, { signal });
      status = await this.transient(() => this.backend.status(remoteId, signal));
    }
    const seen = new Set<string>();
    if (status.state !== "failed") {
      let chunk: BatchOutcome[] = [];
      for await (const outcome of this.backend.results(remoteId, signal)) {
        seen.add(outcome.customId);
        chunk.push(outcome);
        if (chunk.length >= RESULT_CHUNK) {
          this.apply(localId, chunk);
          chunk = [];
        }
      }
      this.apply(localId, chunk);
    }
    // Requests the provider returned nothing for (expired, cancelled, failed batch) are retried.
    const why =
      status.state === "failed"
        ? `batch ${remoteId} failed${status.message ? `: ${status.message}` : ""}`
        : `no result in ${status.state} batch ${remoteId}`;
    const missing: BatchOutcome[] = [];
    for (const id of this.store.customIds(localId)) {
      if (!seen.has(id)) missing.push({ customId: id, ok: false, message: why, retryable: true });
    }
    this.apply(localId, missing);
    this.store.ended(localId, status.state);
    this.counters.batchesEnded++;
  }

  /** Stores outcomes in one transaction, then hands them to whoever is waiting. */
  private apply(localId: string, outcomes: readonly BatchOutcome[]): void {
    if (outcomes.length === 0) return;
    const rows: { batchId: string; customId: string; state: RequestState; result?: string }[] = [];
    for (const o of outcomes) {
      const waiting = this.waiters.has(o.customId);
      rows.push(
        o.ok
          ? {
              batchId: localId,
              customId: o.customId,
              state: waiting ? "delivered" : "done",
              result: encodeResult(o.result),
            }
          : { batchId: localId, customId: o.customId, state: "error", result: o.message },
      );
    }
    this.store.update(rows);
    for (const o of outcomes) {
      if (o.ok) this.counters.done++;
      else this.counters.errors++;
      const w = this.waiters.get(o.customId);
      if (!w) continue;
      if (o.ok) {
        this.waiters.delete(o.customId);
        w.resolve(o.result);
      } else {
        this.retryOrFail(w, o.message, o.retryable);
      }
    }
  }

  private retryOrFail(w: Waiter, message: string, retryable: boolean): void {
    w.attempts++;
    if (!retryable || w.attempts >= this.settings.max_attempts) {
      this.settle(
        w,
        new ProviderCallError(`${this.ref}: batch request ${w.customId}: ${message}`, false),
      );
      return;
    }
    if (this.settings.retry === "live" && this.live) {
      this.waiters.delete(w.customId);
      this.live.generate(w.req).then(w.resolve, w.reject);
      return;
    }
    this.enqueue(w);
  }

  private settle(w: Waiter, err: Error): void {
    this.waiters.delete(w.customId);
    // Ours to retry or not: the engine must not resend it as a new request.
    w.reject(
      err instanceof ProviderCallError && err.retryable
        ? new ProviderCallError(err.message, false, err.status)
        : err,
    );
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.stop.abort();
    await this.live?.close();
  }
}
