import { join } from "node:path";
import { type Summary, summarizeStore } from "../analysis/summary.js";
import { type AuditProgress, newCounters } from "../engine/counters.js";
import type { Endpoint, ProviderFactory } from "../engine/endpoint.js";
import { Limiter } from "../engine/limiter.js";
import { judgeId } from "../judge/judge-response.js";
import { runJudgeId } from "../judge/run-judge.js";
import { type StructuredMode, structuredMetaKey } from "../judge/structured.js";
import { createProvider } from "../providers/index.js";
import { finishUnparseableRetry, startUnparseableRetry } from "../store/retry-unparseable.js";
import { readRunConfig } from "../store/run-config.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore } from "../store/run-store.js";
import type { GenerationParams } from "../types.js";
import { recordedJudgeMode } from "./audit-preflight.js";
import { retryPolicy, toJudgeParams } from "./config-params.js";
import { providerOptions } from "./endpoints.js";
import { executePending } from "./execute.js";
import { assertPreflight, judgeMode, type PreflightResult, runPreflight } from "./preflight.js";
import { scoreRulePending } from "./rule-check.js";

export interface JudgeRunOptions {
  /** Judge model reference (default: the run's own judge); verdicts are stored per judge. */
  model?: string;
  params?: GenerationParams;
  concurrency?: number;
  /** Re-judge this judge's UNPARSEABLE verdicts (the old ones are kept in judgments_replaced). */
  retryUnparseable?: boolean;
  signal?: AbortSignal;
  progress?: AuditProgress;
  providerFactory?: ProviderFactory;
  onPreflight?: (results: readonly PreflightResult[]) => void;
}

export interface JudgeRunResult {
  judge: string;
  summary: Summary;
  progress: AuditProgress;
  interrupted: boolean;
  /** With retryUnparseable: verdicts released for re-judging now (0 when a round was resumed). */
  released?: { moved: number; resumed: boolean };
  mode: StructuredMode;
}

/**
 * Judges every stored response of a run with a judge (ARCHITECTURE: any stage runs alone).
 * Nothing is generated; resumable like the audit. The run's own judge keeps the run's judge
 * settings (params, judge.structured, judge.max_unparseable).
 */
export async function judgeRun(runDir: string, options: JudgeRunOptions): Promise<JudgeRunResult> {
  const file = join(runDir, "run.sqlite");
  const unlock = lockRun(runDir);
  let store: RunStore | undefined;
  try {
    store = RunStore.open(file);
    const config = readRunConfig(store);
    const model = options.model ?? config.judge.model;
    const ownJudge = model === config.judge.model;
    const signal = options.signal ?? new AbortController().signal;
    const provider = await (options.providerFactory ?? createProvider)(
      model,
      providerOptions(config, model, {}),
    );
    const judge = ownJudge ? runJudgeId(config) : judgeId(model);
    const progress = options.progress ?? {
      generate: newCounters("generate"),
      judge: newCounters("judge"),
    };
    const params: GenerationParams = {
      temperature: 0,
      maxTokens: 400,
      ...(ownJudge ? toJudgeParams(config) : {}),
      ...options.params,
    };
    const setting = ownJudge ? config.judge.structured : "auto";
    const endpoint: Endpoint = {
      provider,
      limiter: new Limiter(options.concurrency ?? provider.defaultConcurrency),
    };
    let released: JudgeRunResult["released"];
    let mode = recordedJudgeMode(store, judge, setting);
    try {
      if (options.retryUnparseable) released = startUnparseableRetry(store, judge);
      if (store.countPendingJudgment(judge) > 0) {
        const results = await runPreflight(
          [{ roles: ["judge"], endpoint, params, structured: setting }],
          { retry: retryPolicy(config), timeoutMs: config.timeout_ms, signal },
        );
        options.onPreflight?.(results);
        if (!signal.aborted) {
          assertPreflight(results, "Fix the judge endpoint and re-run the same command.");
          mode = judgeMode(results, provider.ref, setting);
          store.setMeta(structuredMetaKey(judge), mode);
        }
      }
      await executePending({
        store,
        subjects: new Map(),
        judge: { id: judge, endpoint, params, structured: mode },
        maxUnparseable: config.judge.max_unparseable,
        retry: retryPolicy(config),
        timeoutMs: config.timeout_ms,
        signal,
        progress,
        generate: false,
      });
      if (options.retryUnparseable) finishUnparseableRetry(store, judge);
      if (!signal.aborted) scoreRulePending(store);
    } finally {
      await provider.close();
    }
    return {
      judge,
      summary: summarizeStore(store, judge, config.compare),
      progress,
      interrupted: signal.aborted,
      ...(released && { released }),
      mode,
    };
  } finally {
    store?.close();
    unlock();
  }
}
