import { StoreWriteError } from "./storage-errors.js";

/**
 * Buffers rows of several kinds and writes them in one transaction per batch.
 *
 * A batch is written `maxDelayMs` after its first row (or at `maxRows`), and `add` returns a
 * promise that settles once the row's transaction has committed. Callers await it before
 * counting a result done, so a SIGKILL can only lose results whose work was still in flight:
 * everything counted done is on disk. The short delay lets results from many calls share one
 * transaction: per-transaction costs (the full-text index writes a segment per commit) would
 * otherwise halve audit throughput. (WAL with synchronous=NORMAL: a commit is durable against a
 * process crash without an fsync.)
 *
 * A failed write (disk full, read-only file…) rejects the batch's promise and every later
 * `add`/`flush` with a StoreWriteError naming the file; rows committed before it stay.
 * Used by the run store and the tuning store.
 */
export class Batcher<B extends { [K in keyof B]: unknown[] }> {
  private batch: B;
  private size = 0;
  private scheduled: NodeJS.Timeout | undefined;
  private done: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } =
    deferred();
  private failed: StoreWriteError | undefined;
  /** Rows the store reported as newly written. */
  written = 0;

  constructor(
    private readonly empty: () => B,
    private readonly write: (batch: B) => number,
    private readonly maxRows = 500,
    /** The store file, named in a write failure. */
    private readonly file = "the store",
    private readonly maxDelayMs = 5,
  ) {
    this.batch = empty();
  }

  /** Queues a row; resolves once it is committed. */
  add<K extends keyof B>(kind: K, row: B[K][number]): Promise<void> {
    if (this.failed) return this.done.promise;
    this.batch[kind].push(row);
    this.size++;
    const committed = this.done.promise;
    if (this.size >= this.maxRows) this.flushQuietly();
    // Not unref'd: callers await the commit, so the timer must keep the process alive.
    else this.scheduled ??= setTimeout(() => this.flushQuietly(), this.maxDelayMs);
    return committed;
  }

  /** Writes what is buffered now; throws the write failure, if any (also an earlier one). */
  flush(): void {
    this.flushQuietly();
    if (this.failed) throw this.failed;
  }

  private flushQuietly(): void {
    if (this.scheduled) {
      clearTimeout(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.size === 0 || this.failed) return;
    const batch = this.batch;
    const done = this.done;
    this.batch = this.empty();
    this.size = 0;
    this.done = deferred();
    try {
      this.written += this.write(batch);
    } catch (err) {
      this.failed = new StoreWriteError(this.file, err);
      done.reject(this.failed);
      this.done.reject(this.failed);
      return;
    }
    done.resolve();
  }
}

function deferred(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
} {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rows added without awaiting (failure records) must not turn a write failure into an
  // unhandled rejection: the failure is kept and thrown by the next add or flush.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
