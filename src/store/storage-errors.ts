/**
 * Storage failures as messages a user can act on: which file, what went wrong, what to do.
 * Raw SQLite and filesystem errors carry a code (SQLITE_FULL, EROFS, ENOTDIR…) but no advice.
 */
import { CandorError } from "../errors.js";

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return typeof e?.code === "string" ? e.code : "";
}

/**
 * What a failed write affects: the run (its store, which a re-run resumes) or a file made from
 * it (an export, a requests file), which is simply written again.
 */
export type StorageTarget = "run" | "output";

/** What went wrong and what to do, for a SQLite or filesystem error code. */
export function storageAdvice(err: unknown, target: StorageTarget = "run"): string {
  const code = codeOf(err);
  const raw = err instanceof Error ? err.message : String(err);
  if (code.startsWith("SQLITE_FULL") || code === "ENOSPC") {
    return target === "run"
      ? "the disk is full; free some space and re-run: finished work is kept and the run resumes"
      : "the disk is full; free some space (or choose another place) and run the command again: the run itself is unchanged";
  }
  if (
    code.startsWith("SQLITE_READONLY") ||
    code === "EROFS" ||
    code === "EACCES" ||
    code === "EPERM"
  ) {
    return "cannot write here (read-only file or directory, or no permission); make it writable or choose another output directory";
  }
  if (code === "ENOTDIR" || code === "EEXIST") {
    return "a file is in the way where a directory is needed; move it or choose another output directory";
  }
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return "the file is damaged or not a candor run store; restore it from a copy, or move it away to start this run again";
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return "cannot open the file (missing directory, permissions, or a read-only copy without its -wal/-shm files)";
  }
  if (code.startsWith("SQLITE_IOERR")) return `input/output error (${raw}); check the disk`;
  return raw;
}

/** A failed write to a run (or tuning) store. */
export class StoreWriteError extends CandorError {
  override readonly name = "StoreWriteError";
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file}: could not save results: ${storageAdvice(cause)}`);
    this.cause = cause;
  }
}

/** Any storage failure while opening or preparing a store or output path. */
export class StorageError extends CandorError {
  override readonly name = "StorageError";
  constructor(
    readonly path: string,
    what: string,
    cause: unknown,
    target: StorageTarget = "run",
  ) {
    super(`${path}: ${what}: ${storageAdvice(cause, target)}`);
    this.cause = cause;
  }
}

/** A filesystem or SQLite error (has an errno/SQLite code), as opposed to a bug. */
export function isStorageFailure(err: unknown): boolean {
  const code = codeOf(err);
  return code.startsWith("SQLITE_") || /^E[A-Z]+$/.test(code);
}

/** `err` as a StorageError about `path` when it is a storage failure; otherwise unchanged. */
export function asStorageError(
  err: unknown,
  path: string,
  what: string,
  target: StorageTarget = "run",
): unknown {
  if (err instanceof CandorError || !isStorageFailure(err)) return err;
  return new StorageError(path, what, err, target);
}
