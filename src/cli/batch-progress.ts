import { type BatchCounters, formatBatchProgress } from "../batch/counters.js";

/** Writes a batch progress line whenever it changes (checked every few seconds); returns stop. */
export function showBatchProgress(c: BatchCounters, everyMs = 2_000): () => void {
  let last = "";
  const draw = () => {
    if (c.batchesSubmitted === 0) return;
    const line = formatBatchProgress(c);
    if (line !== last) process.stderr.write(`batch     ${line}\n`);
    last = line;
  };
  const timer = setInterval(draw, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    draw();
  };
}
