import { existsSync } from "node:fs";
import Database from "better-sqlite3";

/** One number (`SELECT count(*) …`) from a run store, opened read-only and closed again. */
export function countIn(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/**
 * The same while another process may still be creating the store: 0 until the file and its
 * tables exist, so a test can wait on a count from the moment the process starts.
 */
export function countWhileWriting(file: string, sql: string): number {
  if (!existsSync(file)) return 0;
  try {
    return countIn(file, sql);
  } catch {
    return 0;
  }
}
