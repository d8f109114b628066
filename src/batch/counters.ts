/** What Batch API work a run has done so far; the CLI draws it, tests and the summary read it. */
export interface BatchCounters {
  batchesSubmitted: number;
  batchesEnded: number;
  /** Requests sent in batches (a retried request counts again). */
  requests: number;
  /** Requests with a result (succeeded or finally failed). */
  done: number;
  /** Per-request errors and expiries (each retry of one counts). */
  errors: number;
  /** Requests answered from a batch submitted by an earlier, interrupted run. */
  resumed: number;
  startedAt: number;
}

export function newBatchCounters(): BatchCounters {
  return {
    batchesSubmitted: 0,
    batchesEnded: 0,
    requests: 0,
    done: 0,
    errors: 0,
    resumed: 0,
    startedAt: performance.now(),
  };
}

/** Seconds left at the rate so far; undefined before the first result. */
export function batchEtaSeconds(c: BatchCounters, now = performance.now()): number | undefined {
  if (c.done === 0 || c.requests <= c.done)
    return c.requests > 0 && c.requests <= c.done ? 0 : undefined;
  const elapsed = (now - c.startedAt) / 1000;
  return (elapsed * (c.requests - c.done)) / c.done;
}

export function formatBatchProgress(c: BatchCounters, now = performance.now()): string {
  const eta = batchEtaSeconds(c, now);
  const etaText = eta === undefined ? "ETA ?" : `ETA ${Math.round(eta)}s`;
  return `batches ${c.batchesEnded}/${c.batchesSubmitted} done · requests ${c.done}/${c.requests} · errors ${c.errors} · ${etaText}`;
}
