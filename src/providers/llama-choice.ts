/**
 * Threads and sequences for the embedded engine, chosen from a measurement (pure).
 *
 * Threads: the count with the best rate. Sequences: the fewest that reach `tolerance` of the
 * best rate at those threads, because more sequences cost memory and make each reply wait for
 * its batch-mates without a gain worth having. A setting fixed by the config is kept and only
 * the other one is chosen, among measurements taken with the fixed value.
 */
import { z } from "zod";

export const calibrationPointSchema = z.strictObject({
  threads: z.number().int().positive(),
  sequences: z.number().int().positive(),
  /** Tokens sampled per second over all sequences. */
  tokensPerSecond: z.number().nonnegative(),
});
export type CalibrationPoint = z.infer<typeof calibrationPointSchema>;

/** Share of the best rate that is "as good" (measurements on a busy machine vary more). */
export const CHOICE_TOLERANCE = 0.9;

export interface LlamaChoice {
  threads: number;
  sequences: number;
  /** The measured rate at the chosen setting, when it was measured. */
  tokensPerSecond?: number;
}

export function chooseLlamaSettings(
  points: readonly CalibrationPoint[],
  fixed: { threads?: number; sequences?: number } = {},
  tolerance = CHOICE_TOLERANCE,
): LlamaChoice | undefined {
  const usable = points.filter(
    (p) =>
      (fixed.threads === undefined || p.threads === fixed.threads) &&
      (fixed.sequences === undefined || p.sequences === fixed.sequences) &&
      Number.isFinite(p.tokensPerSecond),
  );
  if (usable.length === 0) return undefined;
  // Ties go to fewer threads (they leave a core to the rest of the process) and fewer sequences.
  const best = usable.reduce((a, b) =>
    b.tokensPerSecond > a.tokensPerSecond ||
    (b.tokensPerSecond === a.tokensPerSecond &&
      (b.threads < a.threads || (b.threads === a.threads && b.sequences < a.sequences)))
      ? b
      : a,
  );
  const sameThreads = usable
    .filter((p) => p.threads === best.threads)
    .sort((a, b) => a.sequences - b.sequences);
  const pick =
    sameThreads.find((p) => p.tokensPerSecond >= tolerance * best.tokensPerSecond) ?? best;
  return {
    threads: pick.threads,
    sequences: pick.sequences,
    tokensPerSecond: pick.tokensPerSecond,
  };
}

/** Thread counts worth measuring on a machine with `cores` math cores (at most four). */
export function threadCandidates(cores: number): number[] {
  const c = Math.max(1, Math.floor(cores));
  return [...new Set([1, Math.max(1, Math.floor(c / 2)), Math.max(1, c - 1), c])].sort(
    (a, b) => a - b,
  );
}
