import { open, readFile, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";

/**
 * A lock file next to a cache entry so concurrent runs (processes or async callers)
 * do not download the same file twice. Creation is atomic (`open(…, "wx")`); the
 * holder touches the file periodically, so a lock that has not been touched for
 * `staleMs`, or whose process is gone (same host), is considered abandoned and broken.
 *
 * The lock only saves duplicate work: cache entries are always written to a temporary
 * file and renamed into place, so even two writers racing past a broken lock can never
 * leave a partial file behind.
 */
export interface LockOptions {
  signal?: AbortSignal;
  /** A lock untouched for this long is abandoned. */
  staleMs?: number;
  pollMs?: number;
}

export const DEFAULT_STALE_MS = 60_000;

export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const pollMs = options.pollMs ?? 100;
  await acquire(lockPath, staleMs, pollMs, options.signal);
  const beat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => {});
    },
    Math.max(10, Math.floor(staleMs / 4)),
  );
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    await unlink(lockPath).catch(() => {});
  }
}

async function acquire(
  lockPath: string,
  staleMs: number,
  pollMs: number,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      const handle = await open(lockPath, "wx");
      try {
        await handle.writeFile(
          JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }),
        );
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (await isAbandoned(lockPath, staleMs)) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    await sleep(pollMs, signal);
  }
}

async function isAbandoned(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const owner = JSON.parse(await readFile(lockPath, "utf8")) as { pid?: unknown; host?: unknown };
    if (owner.host === hostname() && typeof owner.pid === "number" && owner.pid !== process.pid) {
      return !processAlive(owner.pid);
    }
    return false;
  } catch {
    // Vanished or half-written: let the next attempt decide.
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
