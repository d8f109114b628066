import type { Item } from "../types.js";
import { seededUnit } from "./hash.js";

/**
 * Seeded, deterministic sample of `n` items (all when `n` is undefined or ≥ the count).
 *
 * Each item gets a key seededUnit(seed, "sample", task, id) and the n smallest keys are
 * kept, returned in their original (dataset) order. The result depends only on the
 * seed, the task and the item ids — not on subjects, call order or the input order — and
 * samples are nested: the 100-item sample is a subset of the 500-item sample.
 */
export function sampleItems(
  items: readonly Item[],
  n: number | undefined,
  seed: number,
  task: string,
): Item[] {
  if (n === undefined || n >= items.length) return [...items];
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`sample size must be a non-negative integer, got ${n}`);
  const ranked = items.map((item, index) => ({
    index,
    id: item.id,
    key: seededUnit(seed, "sample", task, item.id),
  }));
  ranked.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index));
  const keep = new Set(ranked.slice(0, n).map((r) => r.index));
  return items.filter((_, i) => keep.has(i));
}
