/**
 * SQL pieces for the trials.language column. A store made before the languages migration and
 * opened read-only (report, summary, viewer, export of an old run) has no such column: every
 * trial there is English, and these pieces say so instead of failing.
 */
import type { Db } from "./open.js";

const known = new WeakMap<Db, boolean>();

export function hasLanguageColumn(db: Db): boolean {
  let has = known.get(db);
  if (has === undefined) {
    const cols = db.prepare("PRAGMA table_info(trials)").all() as { name: string }[];
    has = cols.some((c) => c.name === "language");
    known.set(db, has);
  }
  return has;
}

/** ` AND a.language = b.language` (the same prompt needs the same language), or nothing. */
export function sameLanguage(db: Db, a: string, b: string): string {
  return hasLanguageColumn(db) ? ` AND ${a}.language = ${b}.language` : "";
}

/**
 * Trial `twin` asks what trial `of` asks (task, item, context, belief, sample and language):
 * the condition that pairs a treatment's trial with its reference's.
 */
export function samePrompt(db: Db, twin: string, of: string): string {
  const same = ["task", "item_id", "context", "belief", "sample"].map(
    (c) => `${twin}.${c} = ${of}.${c}`,
  );
  return `${same.join(" AND ")}${sameLanguage(db, twin, of)}`;
}

/** The trial's language as a selected column named `language`. */
export function languageColumn(db: Db, alias: string): string {
  return hasLanguageColumn(db) ? `${alias}.language` : "'en' AS language";
}
