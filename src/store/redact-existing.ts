/**
 * Runs written before model references were redacted may hold URL credentials in
 * subjects.model and in judge ids. On the first writable open they are rewritten in place,
 * once: the judge id a newer candor computes is the redacted one, so the run keeps its
 * verdicts and resumes where it was.
 */
import { redactModelRef } from "../redact.js";
import type { Db } from "./open.js";

const DONE_KEY = "refs_redacted";

export function redactStoredRefs(db: Db): void {
  const done = db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(DONE_KEY);
  if (done !== undefined) return;
  db.transaction(() => {
    const subjects = db.prepare("SELECT id, model FROM subjects").all() as {
      id: string;
      model: string;
    }[];
    const setModel = db.prepare("UPDATE subjects SET model = ? WHERE id = ?");
    for (const s of subjects) {
      const clean = redactModelRef(s.model);
      if (clean !== s.model) setModel.run(clean, s.id);
    }
    for (const table of ["judgments", "challenge_judgments", "metrics"] as const) {
      const column = table === "metrics" ? "scorer" : "judge";
      const ids = db.prepare(`SELECT DISTINCT ${column} FROM ${table}`).pluck().all() as string[];
      const rename = db.prepare(`UPDATE OR IGNORE ${table} SET ${column} = ? WHERE ${column} = ?`);
      for (const id of ids) {
        const clean = redactModelRef(id);
        if (clean !== id) rename.run(clean, id);
      }
    }
    db.prepare("INSERT INTO meta(key, value) VALUES (?, ?)").run(DONE_KEY, "1");
  })();
}
