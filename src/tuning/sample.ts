/**
 * Seeded, stratified choices: even sampling across query types (the study sampled its
 * conversations evenly by type) and the train/validation split. Both depend only on the
 * seed and the items' keys, never on call order.
 */
import { createHash } from "node:crypto";

/** A stable pseudo-random rank for a key under a seed. */
export function seededRank(seed: number, purpose: string, key: string): string {
  return createHash("sha256").update(`${seed}\u0000${purpose}\u0000${key}`).digest("hex");
}

function seededOrder<T>(
  items: readonly T[],
  keyOf: (t: T) => string,
  seed: number,
  purpose: string,
): T[] {
  return items
    .map((item) => ({ item, rank: seededRank(seed, purpose, keyOf(item)) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map((x) => x.item);
}

function groupBy<T>(items: readonly T[], groupOf: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const g = groupOf(item);
    let list = groups.get(g);
    if (!list) {
      list = [];
      groups.set(g, list);
    }
    list.push(item);
  }
  return groups;
}

/**
 * Picks `n` items spread as evenly as possible across groups: every group gets the same
 * share, and a group with fewer items than its share gives the rest to the others
 * (water-filling). Within a group the choice is seeded. With `n` undefined, or at least
 * the number of items, everything is kept. The result keeps the input order.
 */
export function stratifiedSample<T>(
  items: readonly T[],
  groupOf: (t: T) => string,
  keyOf: (t: T) => string,
  n: number | undefined,
  seed: number,
): T[] {
  if (n === undefined || n >= items.length) return [...items];
  const groups = groupBy(items, groupOf);
  // Smallest groups first, so their unused share flows to the larger ones.
  const ordered = [...groups.entries()].sort(
    (a, b) => a[1].length - b[1].length || (a[0] < b[0] ? -1 : 1),
  );
  const chosen = new Set<T>();
  let remaining = n;
  ordered.forEach(([name, list], i) => {
    const share = Math.floor(remaining / (ordered.length - i));
    const take = Math.min(list.length, share);
    for (const item of seededOrder(list, keyOf, seed, `sample:${name}`).slice(0, take))
      chosen.add(item);
    remaining -= take;
  });
  return items.filter((item) => chosen.has(item));
}

/**
 * Splits items into train and validation, per group, so every type is represented in
 * both when it has at least two items: `round(count × fraction)` validation items per
 * group (at least one when fraction > 0 and the group has two or more).
 */
export function splitTrainValidation<T>(
  items: readonly T[],
  groupOf: (t: T) => string,
  keyOf: (t: T) => string,
  fraction: number,
  seed: number,
): { train: T[]; validation: T[] } {
  if (fraction <= 0) return { train: [...items], validation: [] };
  const groups = groupBy(items, groupOf);
  const validation = new Set<T>();
  for (const [name, list] of groups) {
    if (list.length < 2) continue;
    const k = Math.min(list.length - 1, Math.max(1, Math.round(list.length * fraction)));
    for (const item of seededOrder(list, keyOf, seed, `split:${name}`).slice(0, k))
      validation.add(item);
  }
  return {
    train: items.filter((i) => !validation.has(i)),
    validation: items.filter((i) => validation.has(i)),
  };
}
