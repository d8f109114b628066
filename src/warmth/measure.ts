/**
 * The measure stage for warmth: scores every response of a run that lacks a warmth metric
 * from the given scorer, writes the values to the run store, and can be re-run at any time
 * (only what is missing is scored; interrupted work is simply redone).
 *
 * Metrics (table `metrics`):
 * - `warmth.sociot.reference` and `warmth.sociot.strict`, scorer `<model>#sociot-v1`,
 *   label OK or EMPTY (an empty response has no SocioT: value null);
 * - `warmth.judge`, scorer `<judge model>#warmth-rubric-v1`, label RATED (value 1–7),
 *   UNPARSEABLE or EMPTY (value null).
 */

import { DEFAULT_RETRY, type RetryPolicy } from "../engine/backoff.js";
import { CallFailed, Cancelled } from "../engine/call.js";
import { runQueue } from "../engine/run-queue.js";
import {
  type MetricRecord,
  type PendingMetric,
  pendingMetric,
  recordMetricFailure,
  writeMetrics,
} from "../store/metrics.js";
import type { RunStore } from "../store/run-store.js";
import { type WarmthScope as Scope, warmthScope as scopeOf } from "./cells.js";
import { rateWarmth, type WarmthJudge, warmthJudgeId } from "./judge-rating.js";
import {
  METRIC_JUDGE_WARMTH,
  METRIC_SOCIOT_REFERENCE,
  METRIC_SOCIOT_STRICT,
} from "./metric-names.js";
import { rateByBatch } from "./rating-batch.js";
import { type LogprobBackend, type SocioTScore, scoreSocioT, sociotScorerId } from "./sociot.js";

export {
  METRIC_JUDGE_WARMTH,
  METRIC_SOCIOT_REFERENCE,
  METRIC_SOCIOT_STRICT,
  WARMTH_METRICS,
} from "./metric-names.js";

/** Texts sent to the SocioT scorer per call (and written per transaction). */
export const SOCIOT_CHUNK = 16;

export interface WarmthStageCounts {
  /** Responses in scope (the run, or the sampled cells). */
  total: number;
  /** Already measured before this call (in scope). */
  resumed: number;
  /** Measured now (including EMPTY and UNPARSEABLE rows). */
  done: number;
  failed: number;
  empty: number;
  unparseable: number;
}

export interface WarmthProgress {
  method: "sociot" | "judge";
  counts: WarmthStageCounts;
}

export interface MeasureWarmthOptions {
  /**
   * Measure only this many item × condition cells (all subjects' responses in them, so every
   * pair stays paired), chosen by a seeded hash: the same cells on every call, so sampling is
   * resumable. Default: every response.
   */
  cells?: number;
  /** Seed of the cell sample (default 0). */
  seed?: number;
  /** SocioT scorer (llama or completions backend); omit to skip SocioT. */
  sociot?: { backend: LogprobBackend; chunk?: number };
  /** Judge for the warmth rating; omit to skip it. */
  judge?: WarmthJudge & { retry?: RetryPolicy; timeoutMs?: number };
  signal?: AbortSignal;
  onProgress?: (p: WarmthProgress) => void;
}

export interface MeasureWarmthResult {
  sociot?: WarmthStageCounts & { scorer: string };
  judge?: WarmthStageCounts & { scorer: string };
  interrupted: boolean;
}

function isEmpty(text: string): boolean {
  return text.trim().length === 0;
}

function newCounts(total: number, pending: number): WarmthStageCounts {
  return { total, resumed: total - pending, done: 0, failed: 0, empty: 0, unparseable: 0 };
}

/**
 * SocioT of a chunk of texts in one batched call; when that fails, each text alone, so one
 * bad text (e.g. too long for the scorer's context) fails alone.
 */
async function scoreChunk(
  texts: readonly string[],
  backend: LogprobBackend,
  signal: AbortSignal,
): Promise<(SocioTScore | Error)[]> {
  if (texts.length === 0) return [];
  try {
    return await scoreSocioT(texts, backend, signal);
  } catch (err) {
    if (texts.length === 1 || signal.aborted) {
      return texts.map(() => (err instanceof Error ? err : new Error(String(err))));
    }
  }
  const out: (SocioTScore | Error)[] = [];
  for (const t of texts) {
    if (signal.aborted) {
      out.push(new Error("cancelled"));
      continue;
    }
    try {
      out.push((await scoreSocioT([t], backend, signal))[0]!);
    } catch (err) {
      out.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  return out;
}

async function measureSocioT(
  store: RunStore,
  opts: NonNullable<MeasureWarmthOptions["sociot"]>,
  scope: Scope,
  signal: AbortSignal,
  onProgress: MeasureWarmthOptions["onProgress"],
): Promise<WarmthStageCounts & { scorer: string }> {
  const scorer = sociotScorerId(opts.backend.ref);
  const metrics = [METRIC_SOCIOT_REFERENCE, METRIC_SOCIOT_STRICT];
  const pending = pendingMetric(store, metrics, scorer).filter(scope.includes);
  const counts = { ...newCounts(scope.total, pending.length), scorer };
  const chunk = Math.max(1, opts.chunk ?? SOCIOT_CHUNK);
  for (let i = 0; i < pending.length && !signal.aborted; i += chunk) {
    const part = pending.slice(i, i + chunk);
    const rows: MetricRecord[] = [];
    const texts = part.filter((p) => !isEmpty(p.text));
    for (const p of part) {
      if (!isEmpty(p.text)) continue;
      for (const metric of metrics)
        rows.push({ trialId: p.trialId, metric, scorer, value: null, label: "EMPTY" });
      counts.empty++;
    }
    const scored = await scoreChunk(
      texts.map((t) => t.text),
      opts.backend,
      signal,
    );
    scored.forEach((s, j) => {
      const trialId = texts[j]!.trialId;
      if (s instanceof Error) {
        if (signal.aborted) return;
        recordMetricFailure(store, {
          trialId,
          metric: METRIC_SOCIOT_REFERENCE,
          message: s.message,
          attempts: 1,
        });
        counts.failed++;
        return;
      }
      const detail = { warm: s.warm, cold: s.cold };
      rows.push(
        {
          trialId,
          metric: METRIC_SOCIOT_REFERENCE,
          scorer,
          value: s.reference,
          label: "OK",
          detail,
        },
        { trialId, metric: METRIC_SOCIOT_STRICT, scorer, value: s.strict, label: "OK" },
      );
      counts.done++;
    });
    counts.done += part.length - texts.length;
    writeMetrics(store, rows);
    onProgress?.({ method: "sociot", counts });
  }
  return counts;
}

async function measureJudge(
  store: RunStore,
  judge: NonNullable<MeasureWarmthOptions["judge"]>,
  scope: Scope,
  signal: AbortSignal,
  onProgress: MeasureWarmthOptions["onProgress"],
): Promise<WarmthStageCounts & { scorer: string }> {
  const scorer = warmthJudgeId(judge.model);
  const byBatch = { done: 0, empty: 0, unparseable: 0 };
  await rateByBatch(store, judge, scope, signal, byBatch);
  const pending = pendingMetric(store, [METRIC_JUDGE_WARMTH], scorer).filter(scope.includes);
  const counts = { ...newCounts(scope.total, pending.length + byBatch.done), ...byBatch, scorer };
  if (byBatch.done > 0) onProgress?.({ method: "judge", counts });
  let buffer: MetricRecord[] = [];
  const flush = () => {
    writeMetrics(store, buffer);
    buffer = [];
  };
  const call = {
    retry: judge.retry ?? DEFAULT_RETRY,
    timeoutMs: judge.timeoutMs ?? 120_000,
    signal,
  };
  const one = async (p: PendingMetric): Promise<void> => {
    if (isEmpty(p.text)) {
      buffer.push({
        trialId: p.trialId,
        metric: METRIC_JUDGE_WARMTH,
        scorer,
        value: null,
        label: "EMPTY",
      });
      counts.empty++;
    } else {
      try {
        const r = await rateWarmth(p.text, judge, call);
        buffer.push({
          trialId: p.trialId,
          metric: METRIC_JUDGE_WARMTH,
          scorer,
          value: r.rating,
          label: r.label,
          detail: { rationale: r.rationale, raw: r.raw },
        });
        if (r.label === "UNPARSEABLE") counts.unparseable++;
      } catch (err) {
        if (err instanceof Cancelled || signal.aborted) return;
        recordMetricFailure(store, {
          trialId: p.trialId,
          metric: METRIC_JUDGE_WARMTH,
          message: err instanceof Error ? err.message : String(err),
          attempts: err instanceof CallFailed ? err.attempts : 1,
        });
        counts.failed++;
        onProgress?.({ method: "judge", counts });
        return;
      }
    }
    counts.done++;
    if (buffer.length >= 100) flush();
    onProgress?.({ method: "judge", counts });
  };
  try {
    await runQueue(pending, Math.max(1, judge.limiter.control.max * 2), one, signal);
  } finally {
    flush();
  }
  return counts;
}

/**
 * Scores the run's responses that lack a warmth metric from the given scorers (SocioT, judge
 * rating or both) and stores the values. Resumable: only what is missing is scored.
 * Failures after all retries are recorded in `failures` (stage `metric:<name>`) and stay
 * pending for the next call.
 */
export async function measureWarmth(
  store: RunStore,
  opts: MeasureWarmthOptions,
): Promise<MeasureWarmthResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const result: MeasureWarmthResult = { interrupted: false };
  const scope = scopeOf(store, opts.cells, opts.seed ?? 0);
  // SocioT and the judge use different resources (local CPU vs an API): run them together.
  const tasks: Promise<void>[] = [];
  if (opts.sociot) {
    const s = opts.sociot;
    tasks.push(
      measureSocioT(store, s, scope, signal, opts.onProgress).then((c) => {
        result.sociot = c;
      }),
    );
  }
  if (opts.judge) {
    const j = opts.judge;
    tasks.push(
      measureJudge(store, j, scope, signal, opts.onProgress).then((c) => {
        result.judge = c;
      }),
    );
  }
  await Promise.all(tasks);
  result.interrupted = signal.aborted;
  return result;
}
