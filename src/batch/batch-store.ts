/**
 * The run store's record of Batch API work (tables batch_jobs, batch_requests, migration 8).
 * A batch and its requests are written before it is submitted; a request's latest row
 * (highest rowid) is its current state.
 */

import type { GenerateResult } from "../providers/types.js";
import type { RunStore } from "../store/run-store.js";

export type RequestState = "pending" | "done" | "error" | "delivered";

export interface RequestRow {
  batchId: string;
  state: RequestState;
  result: string | null;
}

export interface JobRow {
  id: string;
  ref: string;
  remoteId: string | null;
  state: string;
  requests: number;
  createdAt: string;
}

/** Local ids of a round's batches (round.ts): `r.<kind>.<uuid>`. */
export function roundJobId(kind: string, uuid: string): string {
  return `r.${kind}.${uuid}`;
}

export function isRoundJob(id: string): boolean {
  return id.startsWith("r.");
}

export class BatchStore {
  private readonly latest;
  private readonly insertJob;
  private readonly insertRequest;
  private readonly setRemote;
  private readonly endJob;
  private readonly setRequest;

  constructor(private readonly store: RunStore) {
    const db = store.db;
    this.latest = db.prepare<
      [string],
      { batchId: string; state: RequestState; result: string | null }
    >(
      "SELECT batch_id AS batchId, state, result FROM batch_requests WHERE custom_id = ? ORDER BY rowid DESC LIMIT 1",
    );
    this.insertJob = db.prepare(
      "INSERT INTO batch_jobs (id, ref, state, requests, created_at) VALUES (?, ?, 'preparing', ?, ?)",
    );
    this.insertRequest = db.prepare(
      "INSERT INTO batch_requests (batch_id, custom_id, state) VALUES (?, ?, 'pending')",
    );
    this.setRemote = db.prepare(
      "UPDATE batch_jobs SET remote_id = ?, state = 'submitted' WHERE id = ?",
    );
    this.endJob = db.prepare("UPDATE batch_jobs SET state = ?, ended_at = ? WHERE id = ?");
    this.setRequest = db.prepare(
      "UPDATE batch_requests SET state = ?, result = ? WHERE batch_id = ? AND custom_id = ?",
    );
  }

  latestFor(customId: string): RequestRow | undefined {
    return this.latest.get(customId);
  }

  /** Records a batch and its requests in one transaction, before anything is sent. */
  recordBatch(id: string, ref: string, customIds: readonly string[]): void {
    this.store.db.transaction(() => {
      this.insertJob.run(id, ref, customIds.length, new Date().toISOString());
      for (const c of customIds) this.insertRequest.run(id, c);
    })();
  }

  submitted(id: string, remoteId: string): void {
    this.setRemote.run(remoteId, id);
  }

  ended(id: string, state: string): void {
    this.endJob.run(state, new Date().toISOString(), id);
  }

  /** Applies many request updates in one transaction (a finished batch's results). */
  update(
    rows: readonly { batchId: string; customId: string; state: RequestState; result?: string }[],
  ): void {
    this.store.db.transaction(() => {
      for (const r of rows) this.setRequest.run(r.state, r.result ?? null, r.batchId, r.customId);
    })();
  }

  /** Batches of this model that were submitted and have not been read back yet. */
  openJobs(ref: string): JobRow[] {
    return this.store.db
      .prepare<[string], JobRow>(
        "SELECT id, ref, remote_id AS remoteId, state, requests, created_at AS createdAt FROM batch_jobs WHERE ref = ? AND state IN ('preparing', 'submitted') ORDER BY rowid",
      )
      .all(ref);
  }

  /** A round's batches of this model and kind that were recorded and have not been read back. */
  openRoundJobs(ref: string, kind: string): JobRow[] {
    const prefix = roundJobId(kind, "");
    return this.openJobs(ref).filter((j) => j.id.startsWith(prefix));
  }

  /** Batches of the earlier, per-request scheme (custom_id = content key) still open. */
  hasOpenRequestJobs(): boolean {
    return this.store.db
      .prepare<[], { id: string }>(
        "SELECT id FROM batch_jobs WHERE state IN ('preparing', 'submitted')",
      )
      .all()
      .some((j) => !isRoundJob(j.id));
  }

  /** A round's batch has been read back: its errors by custom_id, every other request done. */
  finishRequests(batchId: string, errors: ReadonlyMap<string, string>): void {
    this.store.db.transaction(() => {
      for (const [customId, message] of errors) {
        this.setRequest.run("error", message, batchId, customId);
      }
      this.store.db
        .prepare(
          "UPDATE batch_requests SET state = 'done' WHERE batch_id = ? AND state = 'pending'",
        )
        .run(batchId);
    })();
  }

  /** Whether a batch of this run already has this provider id. */
  hasRemote(remoteId: string): boolean {
    return (
      this.store.db.prepare("SELECT 1 FROM batch_jobs WHERE remote_id = ?").get(remoteId) !==
      undefined
    );
  }

  customIds(batchId: string): string[] {
    return this.store.db
      .prepare<[string], string>("SELECT custom_id FROM batch_requests WHERE batch_id = ?")
      .pluck()
      .all(batchId);
  }

  jobs(): JobRow[] {
    return this.store.db
      .prepare<[], JobRow>(
        "SELECT id, ref, remote_id AS remoteId, state, requests, created_at AS createdAt FROM batch_jobs ORDER BY rowid",
      )
      .all();
  }
}

export function encodeResult(r: GenerateResult): string {
  return JSON.stringify(r);
}

export function decodeResult(text: string): GenerateResult {
  return JSON.parse(text) as GenerateResult;
}
