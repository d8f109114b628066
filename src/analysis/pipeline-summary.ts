/**
 * Per pipeline subject: rewrites the claim check confirmed and fallbacks taken, with the one
 * sentence the terminal, summary.json readers and the report all use.
 */
import { type PipelineCounts, pipelineCounts } from "../store/pipeline-steps.js";
import type { RunStore } from "../store/run-store.js";

export interface PipelineSummary extends PipelineCounts {
  /** Checks that had a rewrite to check (skipped empty or cut replies left out). */
  rewritten: number;
  /** fallbacks / rewritten; null before any check. */
  fallbackShare: number | null;
}

export function pipelineSummaryOf(counts: readonly PipelineCounts[]): PipelineSummary[] {
  return counts.map((c) => {
    const rewritten = c.checked - c.skipped;
    return { ...c, rewritten, fallbackShare: rewritten > 0 ? c.fallbacks / rewritten : null };
  });
}

export function pipelineSummary(store: RunStore): PipelineSummary[] {
  return pipelineSummaryOf(pipelineCounts(store));
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);

/** E.g. "pipeline: restyles confirmed 10 of 16 (62.5%); fallbacks taken 6 of 16 (37.5%)". */
export function pipelineSentence(p: PipelineSummary): string {
  const confirmedShare = p.rewritten > 0 ? p.confirmed / p.rewritten : null;
  const skipped = p.skipped > 0 ? `; ${p.skipped} empty or cut replies not rewritten` : "";
  return `${p.subject}: restyles confirmed ${p.confirmed} of ${p.rewritten} (${pct(confirmedShare)}); fallbacks taken ${p.fallbacks} of ${p.rewritten} (${pct(p.fallbackShare)})${skipped}`;
}
