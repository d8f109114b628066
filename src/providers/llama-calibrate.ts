/**
 * Threads and sequences for a model file on this machine, from a short measurement.
 *
 * On first use of a model (per file hash, CPU model, core count and GPU) the engine decodes a
 * few tokens at each thread count worth trying (llama-choice.ts) with one sequence, then at 2, 4
 * and 8 sequences with the best of those threads, and the rates go to `<cache dir>/llama-calibration.json`; later loads read them back. A
 * setting the config fixes is kept, and only the points with that value are measured. What was
 * chosen, from where, and the measured rates are recorded with the run (model_files meta) and
 * shown in the report's run information.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { z } from "zod";
import {
  type CalibrationPoint,
  calibrationPointSchema,
  chooseLlamaSettings,
  threadCandidates,
} from "./llama-choice.js";
import { type EngineSettings, engineSettingsSchema } from "./llama-settings.js";

export { type EngineSettings, engineSettingsSchema };

export const CALIBRATION_FILE = "llama-calibration.json";
export const CALIBRATION_SEQUENCES = [1, 2, 4, 8] as const;
/** Tokens each sequence samples per measured point (after a warm-up): enough to rank settings. */
export const CALIBRATION_TOKENS = 8;

const entrySchema = z.strictObject({
  measuredAt: z.string(),
  tokens: z.number().int().positive(),
  points: z.array(calibrationPointSchema),
});
const cacheSchema = z.strictObject({
  version: z.literal(1),
  entries: z.record(z.string(), entrySchema),
});
type CacheFile = z.infer<typeof cacheSchema>;

export interface CalibrationOptions {
  /** Folder of the calibration file (the model cache dir). */
  cacheDir: string;
  fixed: { threads?: number; sequences?: number };
  /** Used when nothing could be measured. */
  defaults: { threads: number; sequences: number };
  tokens?: number;
}

/** One cache entry per model bytes and machine: the same file is fast differently elsewhere. */
export function calibrationKey(sha256: string, llama: Pick<Llama, "cpuMathCores" | "gpu">): string {
  return [sha256, cpus()[0]?.model.trim() ?? "cpu", llama.cpuMathCores, llama.gpu || "cpu"].join(
    "|",
  );
}

/** A point that cannot reach this share of the best rate so far stops early (never chosen). */
export const EARLY_STOP_SHARE = 0.3;

/**
 * Tokens per second sampled by `sequences` sequences decoding together with `threads` threads.
 * With `minRate`, the point stops once it can no longer reach that rate: on a busy machine a
 * bad setting (more threads than free cores spin against each other) can be 100x slower.
 */
export async function measurePoint(
  model: LlamaModel,
  threads: number,
  sequences: number,
  tokens = CALIBRATION_TOKENS,
  minRate = 0,
): Promise<CalibrationPoint> {
  const context = await model.createContext({ sequences, threads, contextSize: 128 * sequences });
  try {
    const prompt = model.tokenize("The quick brown fox jumps over the lazy dog. Once upon a time");
    const seqs = Array.from({ length: sequences }, () => context.getSequence());
    let deadline = Number.POSITIVE_INFINITY;
    const generate = async (i: number, max: number) => {
      let n = 0;
      for await (const _ of seqs[i]!.evaluate(prompt, { temperature: 0 })) {
        if (++n >= max || performance.now() > deadline) break;
      }
    };
    // The first decode of a context pays one-time costs (buffers, thread start): not counted.
    await generate(0, 1);
    await seqs[0]!.clearHistory();
    const sampled = () => seqs.reduce((a, s) => a + s.tokenMeter.usedOutputTokens, 0);
    const before = sampled();
    const t0 = performance.now();
    if (minRate > 0) deadline = t0 + ((tokens * sequences) / minRate) * 1000;
    await Promise.all(seqs.map((_, i) => generate(i, tokens)));
    const seconds = Math.max(1e-6, (performance.now() - t0) / 1000);
    return { threads, sequences, tokensPerSecond: (sampled() - before) / seconds };
  } finally {
    await context.dispose();
  }
}

async function readCache(file: string): Promise<CacheFile> {
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    // A damaged or older cache is only a lost measurement: measure again and rewrite it.
    if (parsed.success) return parsed.data;
  } catch {}
  return { version: 1, entries: {} };
}

async function writeCache(file: string, cache: CacheFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(cache, null, 2)}\n`);
  await rename(tmp, file);
}

// One calibration at a time per process: two providers of one model must not measure each other.
let queue: Promise<unknown> = Promise.resolve();

/** The settings to run with: the config's, else chosen from cached or new measurements. */
export function resolveEngineSettings(
  model: LlamaModel,
  llama: Pick<Llama, "cpuMathCores" | "gpu">,
  sha256: string,
  opts: CalibrationOptions,
): Promise<EngineSettings> {
  const run = queue.then(() => resolveNow(model, llama, sha256, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function resolveNow(
  model: LlamaModel,
  llama: Pick<Llama, "cpuMathCores" | "gpu">,
  sha256: string,
  opts: CalibrationOptions,
): Promise<EngineSettings> {
  const { fixed, defaults } = opts;
  if (fixed.threads !== undefined && fixed.sequences !== undefined) {
    return {
      threads: fixed.threads,
      sequences: fixed.sequences,
      threadsFrom: "config",
      sequencesFrom: "config",
    };
  }
  const file = join(opts.cacheDir, CALIBRATION_FILE);
  const key = calibrationKey(sha256, llama);
  const cache = await readCache(file);
  const tokens = opts.tokens ?? CALIBRATION_TOKENS;
  const entry = cache.entries[key] ?? { measuredAt: new Date().toISOString(), tokens, points: [] };
  let measured = 0;
  const measure = async (threads: number, sequences: number) => {
    if (entry.points.some((p) => p.threads === threads && p.sequences === sequences)) return;
    const best = Math.max(0, ...entry.points.map((p) => p.tokensPerSecond));
    measured++;
    try {
      entry.points.push(
        await measurePoint(model, threads, sequences, tokens, EARLY_STOP_SHARE * best),
      );
    } catch {
      // A setting the machine cannot run (memory for 8 sequences, say) is simply not chosen.
    }
  };
  // Threads first (at the config's sequences, else one), then sequences at the best threads:
  // a full grid would measure every bad thread count at every sequence count.
  const sweepAt = fixed.sequences ?? 1;
  for (const t of fixed.threads !== undefined
    ? [fixed.threads]
    : threadCandidates(llama.cpuMathCores))
    await measure(t, sweepAt);
  const threads =
    fixed.threads ??
    chooseLlamaSettings(
      entry.points.filter((p) => p.sequences === sweepAt),
      { sequences: sweepAt },
    )?.threads;
  if (threads !== undefined)
    for (const n of fixed.sequences !== undefined ? [fixed.sequences] : CALIBRATION_SEQUENCES)
      await measure(threads, n);
  if (measured > 0) {
    entry.measuredAt = new Date().toISOString();
    cache.entries[key] = entry;
    // An unwritable cache dir costs a measurement next time, not this run.
    await writeCache(file, cache).catch(() => undefined);
  }
  const choice = chooseLlamaSettings(entry.points, fixed);
  const from = (isFixed: boolean) => (isFixed ? "config" : choice ? "calibration" : "default");
  return {
    threads: fixed.threads ?? choice?.threads ?? defaults.threads,
    sequences: fixed.sequences ?? choice?.sequences ?? defaults.sequences,
    threadsFrom: from(fixed.threads !== undefined),
    sequencesFrom: from(fixed.sequences !== undefined),
    ...(choice && {
      calibration: measured > 0 ? ("measured" as const) : ("cache" as const),
      measuredAt: entry.measuredAt,
      ...(choice.tokensPerSecond !== undefined && { tokensPerSecond: choice.tokensPerSecond }),
      points: entry.points,
    }),
  };
}

/** The config's threads and sequences, the rest chosen by calibration unless it is switched off. */
export async function engineSettings(
  model: LlamaModel,
  llama: Pick<Llama, "cpuMathCores" | "gpu">,
  sha256: string,
  opts: {
    llama?: {
      threads?: number;
      sequences?: number;
      calibrate?: boolean;
      calibrationTokens?: number;
    };
    cacheDir: string;
    defaults: { threads: number; sequences: number };
  },
): Promise<EngineSettings> {
  const whole = (n: number) => Math.max(1, Math.floor(n));
  const l = opts.llama ?? {};
  const fixed = {
    ...(l.threads !== undefined && { threads: whole(l.threads) }),
    ...(l.sequences !== undefined && { sequences: whole(l.sequences) }),
  };
  if (l.calibrate === false) {
    return {
      threads: fixed.threads ?? opts.defaults.threads,
      sequences: fixed.sequences ?? opts.defaults.sequences,
      threadsFrom: fixed.threads !== undefined ? "config" : "default",
      sequencesFrom: fixed.sequences !== undefined ? "config" : "default",
    };
  }
  return resolveEngineSettings(model, llama, sha256, {
    cacheDir: opts.cacheDir,
    fixed,
    defaults: opts.defaults,
    ...(l.calibrationTokens !== undefined && { tokens: l.calibrationTokens }),
  });
}
