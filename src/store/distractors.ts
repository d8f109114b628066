/**
 * Typed access to the `distractors` table: each item's model-written wrong belief. A row is
 * written once per item (INSERT OR IGNORE), so an interrupted distractor stage resumes with
 * exactly the items that lack one.
 */
import type { TaskName } from "../types.js";
import type { RunStore } from "./run-store.js";

export interface DistractorRecord {
  task: TaskName;
  itemId: string;
  text: string;
  source: "model" | "fallback";
  /** The model asked (for a fallback too: the one whose answers were all rejected). */
  model: string;
  attempts: number;
  rejected: { text: string; reason: string }[];
  createdAt?: string;
}

interface Row {
  task: TaskName;
  item_id: string;
  text: string;
  source: "model" | "fallback";
  model: string;
  attempts: number;
  rejected_json: string;
  created_at: string;
}

/** Every stored distractor, keyed `task\u0000itemId`. */
export function storedDistractors(store: RunStore): Map<string, DistractorRecord> {
  const rows = store.db.prepare("SELECT * FROM distractors").all() as Row[];
  return new Map(
    rows.map((r) => [
      `${r.task}\u0000${r.item_id}`,
      {
        task: r.task,
        itemId: r.item_id,
        text: r.text,
        source: r.source,
        model: r.model,
        attempts: r.attempts,
        rejected: JSON.parse(r.rejected_json) as DistractorRecord["rejected"],
        createdAt: r.created_at,
      },
    ]),
  );
}

export function putDistractor(store: RunStore, d: DistractorRecord): void {
  store.db
    .prepare(
      `INSERT OR IGNORE INTO distractors(task, item_id, text, source, model, attempts, rejected_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      d.task,
      d.itemId,
      d.text,
      d.source,
      d.model,
      d.attempts,
      JSON.stringify(d.rejected),
      d.createdAt ?? new Date().toISOString(),
    );
}
