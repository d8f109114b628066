/**
 * A store-driven batch round: one kind of request (generation, judge verdicts…) for one batched
 * model, with nothing per request held in memory while batches run. Pending requests are read
 * from the run store a page at a time and written to a JSONL file per batch (custom_id = the
 * trial or verdict id); the batch is recorded in the store, the file is uploaded and deleted,
 * and results are written straight back to the store a chunk at a time, matched by custom_id in
 * any order. Because "pending" is what the store lacks, a resumed or retried round asks for
 * exactly what is missing.
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdirSync, rmSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { closeStream, openWriteStream, writeChunk } from "../io/write-stream.js";
import type { GenerateRequest, GenerateResult } from "../providers/types.js";
import type { FoundBatch } from "./backend.js";
import type { BatchProvider } from "./batch-provider.js";
import { type JobRow, roundJobId } from "./batch-store.js";
import { transient } from "./transient.js";

export interface RoundRequest {
  customId: string;
  req: Omit<GenerateRequest, "signal">;
}

export interface RoundSpec {
  /** Names the round's batches (`r.<kind>.<uuid>`), so a resumed round finds its own. */
  kind: string;
  /** Requests still missing from the store, a page at a time; read again for each attempt. */
  pending(): Iterable<RoundRequest>;
  /** Writes a chunk of results to the store (ids are this round's custom_ids). */
  apply(results: readonly { customId: string; result: GenerateResult }[]): void;
}

/** Results are written in chunks, so a 50,000-line result file is never all in memory. */
const RESULT_CHUNK = 2_000;

interface Failed {
  message: string;
  retryable: boolean;
}

export class BatchRound {
  /** Requests that came back with an error (or none) in the current attempt. */
  private errored = new Map<string, Failed>();
  private readonly polls: Promise<void>[] = [];
  private readonly signal: AbortSignal;

  constructor(
    private readonly provider: BatchProvider,
    private readonly spec: RoundSpec,
    /** Where a batch's JSONL is written until it is uploaded. */
    private readonly dir: string,
    outer: AbortSignal,
  ) {
    // One sleep and one request per batch listen at once: an own signal, without a listener cap.
    const own = new AbortController();
    setMaxListeners(0, own.signal);
    if (outer.aborted) own.abort(outer.reason);
    else outer.addEventListener("abort", () => own.abort(outer.reason), { once: true });
    this.signal = own.signal;
  }

  /**
   * Runs the round to the end: resumes the batches an interrupted run left, sends what is
   * pending, retries errors within `max_attempts`, and hands what is left back to the
   * pipeline (which records the failure, or sends it live with `retry: live`).
   */
  async run(): Promise<void> {
    const { settings } = this.provider;
    const inFlight = await this.resume();
    for (let attempt = 1; attempt <= settings.max_attempts; attempt++) {
      const retryable = [...this.errored.values()].some((f) => f.retryable);
      if (attempt > 1 && (!retryable || settings.retry === "live")) break;
      const given = new Map([...this.errored].filter(([, f]) => !f.retryable));
      this.errored = new Map(given);
      await this.send(inFlight);
      await Promise.all(this.polls.splice(0));
      inFlight.clear();
      this.signal.throwIfAborted();
    }
    if (this.errored.size === 0) return;
    for (const { customId, req } of this.spec.pending()) {
      const f = this.errored.get(customId);
      if (!f) continue;
      const live = settings.retry === "live" && f.retryable && this.provider.live !== undefined;
      this.provider.handOff(req, live ? { live: true } : { live: false, message: f.message });
    }
  }

  /** Polls the batches an earlier run recorded; returns the custom_ids they hold. */
  private async resume(): Promise<Set<string>> {
    const { store, ref } = this.provider;
    const inFlight = new Set<string>();
    for (const job of store.openRoundJobs(ref, this.spec.kind)) {
      rmSync(this.file(job.id), { force: true });
      // Recorded but its id never came back: the provider may have it (see findSubmitted).
      const found = job.remoteId !== null ? { remoteId: job.remoteId } : await this.find(job);
      if (found === undefined) {
        store.ended(job.id, "abandoned");
        continue;
      }
      for (const id of store.customIds(job.id)) inFlight.add(id);
      if ("candidates" in found) {
        this.polls.push(this.adopt(job.id, job.requests, found.candidates));
        continue;
      }
      if (job.remoteId === null) store.submitted(job.id, found.remoteId);
      this.resumed(job.requests);
      this.polls.push(this.poll(job.id, found.remoteId));
    }
    return inFlight;
  }

  private resumed(requests: number): void {
    const { counters } = this.provider;
    counters.batchesSubmitted++;
    counters.requests += requests;
    counters.resumed += requests;
  }

  /** A batch recorded without its id, looked for at the provider; a server that cannot list: not found. */
  private async find(job: JobRow): Promise<FoundBatch | undefined> {
    const { store, backend } = this.provider;
    const recorded = {
      createdAt: job.createdAt,
      requests: job.requests,
      isKnown: (remoteId: string) => store.hasRemote(remoteId),
    };
    try {
      return await transient(this.signal, () =>
        backend.findSubmitted(job.id, recorded, this.signal),
      );
    } catch (err) {
      if (this.signal.aborted) throw err;
      return undefined;
    }
  }

  /**
   * Adopts the first candidate whose results answer exactly this batch's custom_ids (each once,
   * none missing, none foreign), waiting for each to end first; nothing is written until one
   * does. None does: the batch never reached the provider, and its requests go in a new one.
   */
  private async adopt(localId: string, requests: number, candidates: readonly string[]) {
    const { store, backend, settings } = this.provider;
    const ids = new Set(store.customIds(localId));
    for (const remoteId of candidates) {
      let status = await transient(this.signal, () => backend.status(remoteId, this.signal));
      while (status.state === "running") {
        await sleep(settings.poll_seconds * 1000, undefined, { signal: this.signal });
        status = await transient(this.signal, () => backend.status(remoteId, this.signal));
      }
      if (status.state === "failed" || !(await this.answersExactly(remoteId, ids))) continue;
      store.submitted(localId, remoteId);
      this.resumed(requests);
      return this.poll(localId, remoteId);
    }
    store.ended(localId, "abandoned");
    for (const id of ids) {
      this.errored.set(id, { message: "batch lost before its id was recorded", retryable: true });
    }
  }

  private async answersExactly(remoteId: string, ids: ReadonlySet<string>): Promise<boolean> {
    const seen = new Set<string>();
    for await (const o of this.provider.backend.results(remoteId, this.signal)) {
      if (!ids.has(o.customId) || seen.has(o.customId)) return false;
      seen.add(o.customId);
    }
    return seen.size === ids.size;
  }

  private file(localId: string): string {
    return join(this.dir, `${localId}.jsonl`);
  }

  /** Streams pending requests into batch files within the provider's limits, sending each. */
  private async send(skip: ReadonlySet<string>): Promise<void> {
    const { backend, settings } = this.provider;
    const maxRequests = Math.min(settings.max_requests ?? Infinity, backend.limits.maxRequests);
    let open: { localId: string; out: WriteStream; ids: string[]; bytes: number } | undefined;
    try {
      for (const { customId, req } of this.spec.pending()) {
        if (skip.has(customId) || this.errored.has(customId)) continue;
        this.signal.throwIfAborted();
        const line = `${backend.line(customId, req)}\n`;
        const bytes = Buffer.byteLength(line);
        if (
          open &&
          (open.ids.length >= maxRequests || open.bytes + bytes > backend.limits.maxBytes)
        ) {
          await this.submit(open);
          open = undefined;
        }
        if (!open) {
          mkdirSync(this.dir, { recursive: true });
          const localId = roundJobId(this.spec.kind, randomUUID());
          open = { localId, out: openWriteStream(this.file(localId)), ids: [], bytes: 0 };
        }
        open.ids.push(customId);
        open.bytes += bytes;
        await writeChunk(open.out, line);
      }
      if (open) await this.submit(open);
      open = undefined;
    } finally {
      // Interrupted while a batch file was being written: it was never recorded or sent.
      if (open) {
        open.out.destroy();
        rmSync(this.file(open.localId), { force: true });
      }
    }
  }

  private async submit(b: { localId: string; out: WriteStream; ids: string[] }): Promise<void> {
    const { store, backend, ref, counters } = this.provider;
    await closeStream(b.out);
    // Recorded before it is sent: a killed run finds it and polls instead of paying twice.
    store.recordBatch(b.localId, ref, b.ids);
    let remoteId: string;
    try {
      remoteId = await transient(this.signal, () =>
        backend.submitFile(this.file(b.localId), b.localId, this.signal),
      );
    } catch (err) {
      if (!this.signal.aborted) {
        store.ended(b.localId, "abandoned");
        rmSync(this.file(b.localId), { force: true });
      }
      throw err;
    }
    store.submitted(b.localId, remoteId);
    rmSync(this.file(b.localId), { force: true });
    counters.batchesSubmitted++;
    counters.requests += b.ids.length;
    this.polls.push(this.poll(b.localId, remoteId));
  }

  private async poll(localId: string, remoteId: string): Promise<void> {
    const { store, backend, settings, counters } = this.provider;
    const signal = this.signal;
    let status = await transient(signal, () => backend.status(remoteId, signal));
    while (status.state === "running") {
      await sleep(settings.poll_seconds * 1000, undefined, { signal });
      status = await transient(signal, () => backend.status(remoteId, signal));
    }
    const ids = new Set(store.customIds(localId));
    const errors = new Map<string, string>();
    const fail = (customId: string, f: Failed) => {
      errors.set(customId, f.message);
      this.errored.set(customId, f);
      counters.errors++;
    };
    if (status.state !== "failed") {
      let chunk: { customId: string; result: GenerateResult }[] = [];
      for await (const o of backend.results(remoteId, signal)) {
        // Not one of this batch's requests (or a second line for one): nothing to match.
        if (!ids.delete(o.customId)) continue;
        if (!o.ok) {
          fail(o.customId, { message: o.message, retryable: o.retryable });
          continue;
        }
        chunk.push({ customId: o.customId, result: o.result });
        counters.done++;
        if (chunk.length >= RESULT_CHUNK) {
          this.spec.apply(chunk);
          chunk = [];
        }
      }
      this.spec.apply(chunk);
    }
    // Requests the provider returned nothing for (expired, cancelled, failed batch) are retried.
    const why =
      status.state === "failed"
        ? `batch ${remoteId} failed${status.message ? `: ${status.message}` : ""}`
        : `no result in ${status.state} batch ${remoteId}`;
    for (const id of ids) fail(id, { message: why, retryable: true });
    store.finishRequests(localId, errors);
    store.ended(localId, status.state);
    counters.batchesEnded++;
  }
}
