/**
 * Runs `fn` over items with at most `maxInFlight` running at once, without
 * creating a promise per item up front (runs can hold 500k trials). Stops
 * launching new work when `signal` aborts and waits for what is in flight.
 * `fn` must handle its own errors; a rejection is a bug and is rethrown.
 */
export async function runQueue<T>(
  items: Iterable<T>,
  maxInFlight: number,
  fn: (item: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let running = 0;
  let failure: { error: unknown } | undefined;
  // Resolved when a slot frees up; one waiter at a time (the loop below).
  let wake: (() => void) | undefined;
  const settle = () => {
    running--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (const item of items) {
    if (signal.aborted || failure) break;
    running++;
    fn(item).then(settle, (error: unknown) => {
      failure ??= { error };
      settle();
    });
    while (running >= maxInFlight) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
  while (running > 0) {
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }
  if (failure) throw failure.error;
}
