/**
 * Warmth ratings for a judge sent by batch: one store-driven round (rating-round.ts) before the
 * live path, which then finds only what the round could not finish (handed back to it as a
 * failure, or as a live call with `retry: live`).
 */
import { dirname, join } from "node:path";
import { BatchProvider } from "../batch/batch-provider.js";
import { BatchRound } from "../batch/round.js";
import type { RunStore } from "../store/run-store.js";
import type { WarmthScope } from "./cells.js";
import type { WarmthJudge } from "./judge-rating.js";
import { warmthRatingSpec } from "./rating-round.js";

export async function rateByBatch(
  store: RunStore,
  judge: Pick<WarmthJudge, "model" | "provider" | "params" | "structured">,
  scope: WarmthScope,
  signal: AbortSignal,
  counts: { done: number; empty: number; unparseable: number },
): Promise<void> {
  const p = judge.provider;
  // Batches an earlier candor sent per request (custom_id = content key) are resumed by the
  // per-request path; a round now would send their requests again.
  if (!(p instanceof BatchProvider) || p.store.hasOpenRequestJobs()) return;
  const spec = warmthRatingSpec({
    store,
    model: judge.model,
    ...(judge.params && { params: judge.params }),
    ...(judge.structured && { structured: judge.structured }),
    scope,
    counts,
  });
  try {
    await new BatchRound(p, spec, join(dirname(store.file), "batches"), signal).run();
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
}
