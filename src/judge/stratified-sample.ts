import { seededIndex } from "../design/hash.js";

/**
 * A stratified sample for human labelling: every stratum (e.g. task × verdict ×
 * subject) gets at least one row when n allows, the rest proportionally
 * (largest remainder). Seeded and independent of input order.
 */
export function stratifiedSample<T>(
  rows: readonly T[],
  n: number,
  stratum: (row: T) => string,
  id: (row: T) => string,
  seed: number,
): T[] {
  if (n >= rows.length) return [...rows].sort((a, b) => id(a).localeCompare(id(b)));
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const key = stratum(r);
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  const keys = [...groups.keys()].sort();
  const quota = new Map<string, number>(keys.map((k) => [k, 0]));
  let left = n;
  if (n >= keys.length) {
    for (const k of keys) quota.set(k, 1);
    left -= keys.length;
  }
  const spare = keys.map((k) => ({ k, room: groups.get(k)!.length - quota.get(k)! }));
  const totalRoom = spare.reduce((s, x) => s + x.room, 0);
  const shares = spare.map((x) => ({
    ...x,
    exact: totalRoom > 0 ? (left * x.room) / totalRoom : 0,
  }));
  for (const s of shares) quota.set(s.k, quota.get(s.k)! + Math.floor(s.exact));
  let assigned = [...quota.values()].reduce((a, b) => a + b, 0);
  for (const s of [...shares].sort(
    (a, b) =>
      b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.k.localeCompare(b.k),
  )) {
    if (assigned >= n) break;
    if (quota.get(s.k)! < groups.get(s.k)!.length) {
      quota.set(s.k, quota.get(s.k)! + 1);
      assigned++;
    }
  }
  const out: T[] = [];
  for (const k of keys) {
    // Order each stratum by a seeded hash of the id: a stable shuffle.
    const ranked = [...groups.get(k)!].sort(
      (a, b) =>
        seededIndex(2 ** 31, seed, "sample", id(a)) - seededIndex(2 ** 31, seed, "sample", id(b)) ||
        id(a).localeCompare(id(b)),
    );
    out.push(...ranked.slice(0, quota.get(k)!));
  }
  return out;
}
