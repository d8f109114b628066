import { join } from "node:path";
import { Limiter } from "../engine/limiter.js";
import { judgeId } from "../judge/judge-response.js";
import { createProvider } from "../providers/index.js";
import { readRunConfig } from "../store/run-config.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore } from "../store/run-store.js";
import type { GenerationParams } from "../types.js";
import { retryPolicy } from "./config-params.js";
import { type ProviderFactory, providerOptions } from "./endpoints.js";
import { executePending } from "./execute.js";
import { type AuditProgress, newCounters } from "./progress.js";
import { scoreRulePending } from "./rule-check.js";
import { type Summary, summarizeStore } from "./summarize.js";

export interface JudgeRunOptions {
  /** Judge model reference; its verdicts are stored beside the run's other judges'. */
  model: string;
  params?: GenerationParams;
  concurrency?: number;
  signal?: AbortSignal;
  progress?: AuditProgress;
  providerFactory?: ProviderFactory;
}

/**
 * Judges every stored response of a run with another judge (ARCHITECTURE: any
 * stage runs alone). Nothing is generated; resumable like the audit.
 */
export async function judgeRun(
  runDir: string,
  options: JudgeRunOptions,
): Promise<{ judge: string; summary: Summary; progress: AuditProgress; interrupted: boolean }> {
  const file = join(runDir, "run.sqlite");
  const unlock = lockRun(runDir);
  let store: RunStore | undefined;
  try {
    store = RunStore.open(file);
    const config = readRunConfig(store);
    const signal = options.signal ?? new AbortController().signal;
    const provider = await (options.providerFactory ?? createProvider)(
      options.model,
      providerOptions(config, options.model, {}),
    );
    const judge = judgeId(options.model);
    const progress = options.progress ?? {
      generate: newCounters("generate"),
      judge: newCounters("judge"),
    };
    try {
      await executePending({
        store,
        subjects: new Map(),
        judge: {
          id: judge,
          endpoint: {
            provider,
            limiter: new Limiter(options.concurrency ?? provider.defaultConcurrency),
          },
          params: { temperature: 0, maxTokens: 400, ...options.params },
        },
        retry: retryPolicy(config),
        timeoutMs: config.timeout_ms,
        signal,
        progress,
        generate: false,
      });
      if (!signal.aborted) scoreRulePending(store);
    } finally {
      await provider.close();
    }
    return {
      judge,
      summary: summarizeStore(store, judge, config.compare),
      progress,
      interrupted: signal.aborted,
    };
  } finally {
    store?.close();
    unlock();
  }
}
