import { seededIndex } from "../design/hash.js";

/**
 * A proportional stratified sample for human labelling: each stratum (e.g.
 * task × subject × verdict) gets n × its share of the rows, remainders going
 * to the largest fractions (Hamilton). Proportional allocation keeps the sample
 * self-weighting, so plain agreement over it estimates agreement over the run;
 * each row's weight (stratum size / rows sampled from it) is returned too and
 * stored. Seeded and independent of input order. Pure.
 */
export function stratifiedSample<T>(
  rows: readonly T[],
  n: number,
  stratum: (row: T) => string,
  id: (row: T) => string,
  seed: number,
): { row: T; stratum: string; weight: number }[] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const key = stratum(r);
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  const keys = [...groups.keys()].sort();
  const take = Math.min(n, rows.length);
  const shares = keys.map((k) => {
    const exact = (take * groups.get(k)!.length) / rows.length;
    return { k, exact, quota: Math.floor(exact) };
  });
  let assigned = shares.reduce((s, x) => s + x.quota, 0);
  for (const s of [...shares].sort(
    (a, b) => b.exact - b.quota - (a.exact - a.quota) || a.k.localeCompare(b.k),
  )) {
    if (assigned >= take) break;
    s.quota++;
    assigned++;
  }
  const out: { row: T; stratum: string; weight: number }[] = [];
  for (const s of shares) {
    if (s.quota === 0) continue;
    const group = groups.get(s.k)!;
    // Order each stratum by a seeded hash of the id: a stable shuffle.
    const ranked = [...group].sort(
      (a, b) =>
        seededIndex(2 ** 31, seed, "sample", id(a)) - seededIndex(2 ** 31, seed, "sample", id(b)) ||
        id(a).localeCompare(id(b)),
    );
    const weight = group.length / s.quota;
    for (const row of ranked.slice(0, s.quota)) out.push({ row, stratum: s.k, weight });
  }
  return out;
}
