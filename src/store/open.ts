import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { CandorError } from "../errors.js";
import { readableCopy } from "./readonly-copy.js";
import { MIGRATIONS } from "./schema.js";
import { StorageError, storageAdvice } from "./storage-errors.js";

export type Db = Database.Database;

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "";
}

/**
 * Checks the 100-byte header before SQLite sees the file: a file that is not a SQLite database,
 * or is shorter than its header says (a copy cut short), is named as such instead of failing
 * later, mid-query.
 */
function checkHeader(file: string): void {
  const size = statSync(file).size;
  const header = Buffer.alloc(100);
  const fd = openSync(file, "r");
  let read: number;
  try {
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  const damaged = (what: string) =>
    new CandorError(
      `${file}: ${what}; restore it from a copy, or move it away to start this run again`,
    );
  if (read < 100 || header.toString("latin1", 0, 16) !== "SQLite format 3\u0000") {
    throw damaged("not a candor run store (not a SQLite database, or damaged)");
  }
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = header.readUInt32BE(28);
  // With a non-empty -wal the file may be legitimately short: pages still in the log (e.g. a
  // checkpoint interrupted by a full disk) are read from there.
  const wal = `${file}-wal`;
  const walPending = existsSync(wal) && statSync(wal).size > 0;
  if (pages > 0 && size < pages * pageSize && !walPending) {
    throw damaged(`the run store is truncated (${size} of ${pages * pageSize} bytes)`);
  }
}

/** Opens read-only; a copy the directory will not let SQLite index in place is read from a temp copy. */
function openReadonly(file: string): Db {
  if (!existsSync(file)) {
    throw new CandorError(`${file}: run store not found; expected a run directory with run.sqlite`);
  }
  checkHeader(file);
  const open = (path: string) => {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      // Opening is lazy: the first read is what finds a damaged file or a missing -shm.
      db.prepare("SELECT count(*) FROM sqlite_master").get();
      db.pragma("query_only = ON");
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  };
  try {
    return open(file);
  } catch (err) {
    const code = codeOf(err);
    if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_READONLY")) {
      try {
        return open(readableCopy(file));
      } catch (copyErr) {
        throw new StorageError(file, "cannot read the run store", copyErr);
      }
    }
    throw new StorageError(file, "cannot read the run store", err);
  }
}

/** Opens (creating if needed) a run database in WAL mode and applies migrations. */
export function openDb(file: string, options: { readonly?: boolean } = {}): Db {
  if (options.readonly) return openReadonly(file);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new StorageError(dirname(file), "cannot create the run directory", err);
  }
  // SQLite treats an empty file as a new database: a store truncated to nothing would silently
  // restart the run. (candor writes the schema right after creating the file.)
  if (existsSync(file) && statSync(file).size === 0) {
    throw new CandorError(
      `${file}: the run store is empty (0 bytes), so this run's results are gone; restore it from a copy, or delete the file to start the run again`,
    );
  }
  if (existsSync(file)) checkHeader(file);
  let db: Db;
  try {
    db = new Database(file, { fileMustExist: false });
  } catch (err) {
    throw new StorageError(file, "cannot open the run store", err);
  }
  try {
    db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode is durable against process crashes (only an OS crash can lose the last commit).
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new CandorError(
        `${file}: run store was written by a newer candor (schema ${version}); upgrade candor`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    // A damaged page would otherwise surface mid-run, far from its cause.
    db.prepare("SELECT count(*) FROM trials").get();
  } catch (err) {
    db.close();
    if (err instanceof CandorError) throw err;
    throw new CandorError(`${file}: cannot use the run store: ${storageAdvice(err)}`);
  }
  return db;
}
