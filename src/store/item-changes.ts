/**
 * Items are content-addressed within a run: the stored question and reference answers are what
 * every verdict was judged against, so a dataset that now says something else for the same item
 * id is a different design, not a resume.
 */
import type { Item } from "../types.js";
import type { RunStore } from "./run-store.js";

/** The parts of an item that define it (what is asked, what counts as right). */
const CONTENT_FIELDS = ["question", "correct"] as const satisfies readonly (keyof Item)[];

export interface ItemChange {
  task: string;
  id: string;
  /** Which of CONTENT_FIELDS differ. */
  fields: string[];
}

/** Items the run already holds whose content differs from `items` (same task and id). */
export function changedItems(store: RunStore, items: readonly Item[]): ItemChange[] {
  const stored = new Map<string, Item>();
  for (const it of store.items()) stored.set(`${it.task}\u0000${it.id}`, it);
  const changes: ItemChange[] = [];
  for (const it of items) {
    const old = stored.get(`${it.task}\u0000${it.id}`);
    if (!old) continue;
    const fields = CONTENT_FIELDS.filter((f) => JSON.stringify(old[f]) !== JSON.stringify(it[f]));
    if (fields.length > 0) changes.push({ task: it.task, id: it.id, fields });
  }
  return changes;
}
