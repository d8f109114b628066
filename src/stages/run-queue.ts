/**
 * Runs `fn` over items with at most `maxInFlight` running at once, without
 * creating a promise per item up front (runs can hold 500k trials). Stops
 * launching new work when `signal` aborts and waits for what is in flight.
 */
export async function runQueue<T>(
  items: Iterable<T>,
  maxInFlight: number,
  fn: (item: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (const item of items) {
    if (signal.aborted) break;
    const p: Promise<void> = fn(item).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}
