/**
 * Warmth trajectory across checkpoints (the study's manipulation check, STUDY.md §3:
 * warmth rises over the first two epochs, then plateaus). Each checkpoint model answers
 * the same prompts on the engine; a warmth scorer (e.g. SocioT) scores the answers; each
 * point is the mean score with its standard error.
 *
 * The scorer is passed in, so this module does not depend on how warmth is measured.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RETRY, type RetryPolicy } from "../engine/backoff.js";
import { CallFailed, Cancelled, callModel } from "../engine/call.js";
import type { ProviderFactory } from "../engine/endpoint.js";
import { Limiter } from "../engine/limiter.js";
import { runQueue } from "../engine/run-queue.js";
import { CandorError } from "../errors.js";
import { createProvider } from "../providers/index.js";
import type { ProviderOptions } from "../providers/types.js";
import type { ChatMessage, GenerationParams } from "../types.js";
import { TRAIN_FILE, VALIDATION_FILE } from "./export.js";
import { modelRefFor, type TunedJob } from "./registry.js";
import { newTuneCounters, type TuneCounters } from "./rewrite.js";

/** Scores texts (higher = warmer); one score per text, in order. */
export type WarmthScorer = (texts: string[]) => Promise<number[]>;

export interface TrajectoryCheckpoint {
  /** Shown in the report, e.g. "base", "epoch 2", "final". */
  label: string;
  epoch: number;
  /** Model reference to generate with. */
  model: string;
}

export interface TrajectoryPoint extends TrajectoryCheckpoint {
  /** Responses scored (failed generations, empty answers and non-finite scores are left out). */
  n: number;
  /** Generations that failed after all retries, or came back empty. */
  failed: number;
  mean: number | null;
  /** Standard error of the mean (sample SD / √n); null below two scores. */
  sem: number | null;
}

/** Mean and standard error of the mean. */
export function meanSem(values: readonly number[]): { mean: number | null; sem: number | null } {
  const n = values.length;
  if (n === 0) return { mean: null, sem: null };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sem: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, sem: Math.sqrt(variance / n) };
}

/**
 * The checkpoints of a recorded job, sorted by epoch: the base model as epoch 0 (when its
 * reference is given), each checkpoint with a known epoch, and the final model.
 */
export function jobCheckpoints(job: TunedJob, baseModelRef?: string): TrajectoryCheckpoint[] {
  const points: TrajectoryCheckpoint[] = [];
  if (baseModelRef !== undefined) points.push({ label: "base", epoch: 0, model: baseModelRef });
  for (const c of job.checkpoints) {
    if (c.epoch === null) continue;
    if (job.nEpochs !== null && c.epoch === job.nEpochs && job.fineTunedModel) continue;
    points.push({ label: `epoch ${c.epoch}`, epoch: c.epoch, model: modelRefFor(job, c.model) });
  }
  if (job.fineTunedModel && job.nEpochs !== null) {
    points.push({
      label: `epoch ${job.nEpochs} (final)`,
      epoch: job.nEpochs,
      model: modelRefFor(job, job.fineTunedModel),
    });
  }
  return points.sort((a, b) => a.epoch - b.epoch);
}

/**
 * Prompts for the trajectory: the first user message (with any system turn) of exported
 * conversations, validation first (not trained on), then training, up to `n`.
 */
export function trajectoryPrompts(exportDir: string, n: number): ChatMessage[][] {
  const prompts: ChatMessage[][] = [];
  for (const name of [VALIDATION_FILE, TRAIN_FILE]) {
    let text = "";
    try {
      text = readFileSync(join(exportDir, name), "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      if (prompts.length >= n) return prompts;
      if (line.trim() === "") continue;
      const messages = (JSON.parse(line) as { messages: ChatMessage[] }).messages;
      const firstUser = messages.findIndex((m) => m.role === "user");
      if (firstUser >= 0) prompts.push(messages.slice(0, firstUser + 1));
    }
  }
  return prompts;
}

export interface TrajectoryOptions {
  checkpoints: readonly TrajectoryCheckpoint[];
  prompts: readonly ChatMessage[][];
  scorer: WarmthScorer;
  /** Default: the study's generation settings (temperature 0.8, 300 tokens). */
  params?: GenerationParams;
  concurrency?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  signal?: AbortSignal;
  providerFactory?: ProviderFactory;
  providerOptions?: ProviderOptions;
  counters?: TuneCounters;
}

/** Generates with every checkpoint, scores the answers and returns one point per checkpoint. */
export async function warmthTrajectory(options: TrajectoryOptions): Promise<TrajectoryPoint[]> {
  const signal = options.signal ?? new AbortController().signal;
  const factory = options.providerFactory ?? createProvider;
  const params = options.params ?? { temperature: 0.8, maxTokens: 300 };
  const counters = options.counters ?? newTuneCounters("trajectory");
  counters.total += options.checkpoints.length * options.prompts.length;
  const points: TrajectoryPoint[] = [];
  for (const checkpoint of options.checkpoints) {
    const provider = await factory(checkpoint.model, options.providerOptions ?? {});
    const limiter = new Limiter(options.concurrency ?? provider.defaultConcurrency);
    const texts: (string | undefined)[] = new Array(options.prompts.length);
    let failed = 0;
    try {
      await runQueue(
        options.prompts.map((messages, i) => ({ messages, i })),
        Math.max(1, limiter.control.max * 2),
        async ({ messages, i }) => {
          try {
            const { result } = await callModel(
              provider,
              limiter,
              { messages, params },
              {
                retry: options.retry ?? DEFAULT_RETRY,
                timeoutMs: options.timeoutMs ?? 120_000,
                signal,
                onRetry: () => {
                  counters.retries++;
                },
              },
            );
            texts[i] = result.text;
            counters.done++;
            counters.promptTokens += result.promptTokens ?? 0;
            counters.completionTokens += result.completionTokens ?? 0;
          } catch (err) {
            if (err instanceof Cancelled) return;
            if (!(err instanceof CallFailed)) throw err;
            // A bad key or unknown model fails every prompt alike: stop with its message.
            if (err.fatal)
              throw new CandorError(`${checkpoint.label} (${checkpoint.model}): ${err.message}`);
            failed++;
            counters.failed++;
          }
        },
        signal,
      );
    } finally {
      await provider.close();
    }
    if (signal.aborted) break;
    // Empty answers cannot be scored (SocioT needs text): counted with the failures.
    const answered = texts.filter((t): t is string => t !== undefined && t.trim() !== "");
    failed += texts.filter((t) => t !== undefined && t.trim() === "").length;
    const scores = answered.length > 0 ? await options.scorer(answered) : [];
    if (scores.length !== answered.length) {
      throw new Error(
        `warmth scorer returned ${scores.length} scores for ${answered.length} texts`,
      );
    }
    const finite = scores.filter((s) => Number.isFinite(s));
    points.push({ ...checkpoint, n: finite.length, failed, ...meanSem(finite) });
  }
  return points;
}

/** A plain-text table of a trajectory (for the CLI and Markdown reports). */
export function formatTrajectory(points: readonly TrajectoryPoint[]): string {
  const rows = points.map((p) => [
    p.label,
    String(p.epoch),
    String(p.n),
    p.mean === null ? "—" : p.mean.toFixed(4),
    p.sem === null ? "—" : p.sem.toFixed(4),
  ]);
  const head = ["checkpoint", "epoch", "n", "mean warmth", "SEM"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}
