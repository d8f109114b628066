/**
 * Buffers rows of several kinds and writes them in one transaction per batch:
 * one fsync per few hundred rows instead of per row. A crash loses at most the
 * unflushed buffer, which the next run simply redoes (never duplicates: writes
 * are idempotent). Used by the run store and the tuning store.
 */
export class Batcher<B extends { [K in keyof B]: unknown[] }> {
  private batch: B;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Rows the store reported as newly written. */
  written = 0;

  constructor(
    private readonly empty: () => B,
    private readonly write: (batch: B) => number,
    private readonly maxRows = 500,
    private readonly maxDelayMs = 100,
  ) {
    this.batch = empty();
  }

  add<K extends keyof B>(kind: K, row: B[K][number]): void {
    this.batch[kind].push(row);
    this.size++;
    if (this.size >= this.maxRows) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.size === 0) return;
    const batch = this.batch;
    this.batch = this.empty();
    this.size = 0;
    this.written += this.write(batch);
  }
}
