import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { CandorError } from "../errors.js";
import { MIGRATIONS } from "./schema.js";

export type Db = Database.Database;

/** Opens (creating if needed) a run database in WAL mode and applies migrations. */
export function openDb(file: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (err) {
    throw new CandorError(`${file}: cannot open run store (${(err as Error).message})`);
  }
  if (options.readonly) {
    db.pragma("query_only = ON");
    return db;
  }
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode is durable against process crashes (only an OS crash can lose the last commit).
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
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
  return db;
}
