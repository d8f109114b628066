/**
 * The embedded engine's settings as a run records them (model_files meta) and the words every
 * surface shows for them.
 */
import { z } from "zod";
import { calibrationPointSchema } from "./llama-choice.js";

/** What the provider runs with and why. */
export const engineSettingsSchema = z.strictObject({
  threads: z.number().int().positive(),
  sequences: z.number().int().positive(),
  threadsFrom: z.enum(["config", "calibration", "default"]),
  sequencesFrom: z.enum(["config", "calibration", "default"]),
  /** "measured" now or read from the "cache"; absent when nothing was calibrated. */
  calibration: z.enum(["measured", "cache"]).optional(),
  measuredAt: z.string().optional(),
  tokensPerSecond: z.number().optional(),
  points: z.array(calibrationPointSchema).optional(),
});
export type EngineSettings = z.infer<typeof engineSettingsSchema>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** One line: "llama:m.gguf: 1 thread (calibration), 4 sequences (calibration); measured …". */
export function describeEngineSettings(ref: string, s: EngineSettings): string {
  const head = `${ref}: ${plural(s.threads, "thread")} (${s.threadsFrom}), ${plural(s.sequences, "sequence")} (${s.sequencesFrom})`;
  if (!s.calibration || !s.points) return head;
  const points = [...s.points]
    .sort((a, b) => a.threads - b.threads || a.sequences - b.sequences)
    .map((p) => `${p.threads}×${p.sequences} ${rate(p.tokensPerSecond)}`)
    .join(", ");
  const when = s.measuredAt ? ` ${s.measuredAt.slice(0, 10)}` : "";
  const source = s.calibration === "cache" ? "calibration read from cache" : "calibrated now";
  return `${head}; ${source}, measured${when} in tokens/s (threads×sequences): ${points}`;
}
