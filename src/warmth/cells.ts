/**
 * Which responses warmth is measured on: all, or those of a seeded sample of item × condition
 * cells (`warmth.cells`; every subject's response in a chosen cell, so pairs stay paired). The
 * same cells on every call, so sampling is resumable; shared by the live and the batch path.
 */
import { seededUnit } from "../data/hash.js";
import { type PendingMetric, responseCells } from "../store/metrics.js";
import type { RunStore } from "../store/run-store.js";

function cellKey(c: { task: string; itemId: string; context: string; belief: string }): string {
  return `${c.task}\u0000${c.itemId}\u0000${c.context}\u0000${c.belief}`;
}

export interface WarmthScope {
  /** Responses in scope. */
  total: number;
  includes(p: Pick<PendingMetric, "task" | "itemId" | "context" | "belief">): boolean;
}

export function warmthScope(store: RunStore, cells: number | undefined, seed: number): WarmthScope {
  const all = responseCells(store);
  if (cells === undefined || cells >= all.length) {
    return { total: all.reduce((n, c) => n + c.responses, 0), includes: () => true };
  }
  const chosen = all
    .map((c) => ({ c, u: seededUnit(seed, "warmth-cells", cellKey(c)) }))
    .sort((a, b) => a.u - b.u)
    .slice(0, Math.max(0, cells))
    .map((x) => x.c);
  const keys = new Set(chosen.map(cellKey));
  return {
    total: chosen.reduce((n, c) => n + c.responses, 0),
    includes: (p) => keys.has(cellKey(p)),
  };
}
