import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { AuditConfig } from "../config/schema.js";
import { defaultCacheDir } from "../data/hub/hub.js";
import { DEFAULT_CHALLENGE_TASKS } from "../design/challenge.js";
import { ResponseCache } from "../engine/response-cache.js";
import { countFlips } from "../judge/flips.js";
import { judgeId } from "../judge/judge-response.js";
import type { ProviderOptions } from "../providers/types.js";
import { challengeOutcomes } from "../store/challenges.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore, type TrialScope } from "../store/run-store.js";
import { asStorageError } from "../store/storage-errors.js";
import type { BeliefLabel, ContextLabel, TaskName } from "../types.js";
import { warmthManipulationCheck } from "../warmth/index.js";
import { retryPolicy, toJudgeParams } from "./config-params.js";
import { openEndpoints, type ProviderFactory } from "./endpoints.js";
import { executePending } from "./execute.js";
import { measureRunWarmth } from "./measure.js";
import { type LoadedAudit, prepareAudit, RUN_DB, recordPlan } from "./prepare.js";
import { type AuditProgress, newCounters } from "./progress.js";
import { type Summary, summarizeStore } from "./summarize.js";

export { type LoadedAudit, prepareAudit, RUN_DB, recordPlan } from "./prepare.js";
export const SUMMARY_FILE = "summary.json";

export interface AuditOptions {
  signal?: AbortSignal;
  contexts?: readonly ContextLabel[];
  beliefs?: readonly BeliefLabel[];
  progress?: AuditProgress;
  /** Overrides provider construction (tests use the real factory; embedders may wrap it). */
  providerFactory?: ProviderFactory;
  providerOptions?: Partial<ProviderOptions>;
  onPrepared?: (loaded: LoadedAudit) => void;
  /** Called once models are ready (downloaded, loaded), right before generation starts. */
  onStart?: () => void;
}

export interface AuditResult {
  runDir: string;
  summary: Summary;
  progress: AuditProgress;
  interrupted: boolean;
}

/** Builds the summary of a run from its store, for the judge the config names. */
export function summarizeRun(store: RunStore, config: AuditConfig): Summary {
  const judge = judgeId(config.judge.model);
  const summary = summarizeStore(store, judge, config.compare);
  if (config.warmth) {
    const check = warmthManipulationCheck(store, config.compare, { alpha: config.warmth.alpha });
    if (check.subjects.length > 0) summary.warmth = check;
  }
  const open = store.openFailures(judge);
  if (open.length > 0) summary.openFailures = open;
  const challenged = challengeOutcomes(store, judge);
  if (challenged.length > 0) summary.challenge = countFlips(challenged);
  return summary;
}

/**
 * Plans and records the trials, then lets the plan go: execution reads pending
 * work from the store a page at a time, so memory does not grow with the grid.
 */
async function prepareAndRecord(
  configFile: string,
  signal: AbortSignal,
  options: AuditOptions,
): Promise<{
  config: AuditConfig;
  runDir: string;
  scope: TrialScope;
  store: RunStore;
  unlock: () => void;
}> {
  const loaded = await prepareAudit(configFile, {
    signal,
    ...(options.contexts && { contexts: options.contexts }),
    ...(options.beliefs && { beliefs: options.beliefs }),
    ...(options.providerOptions?.onDownloadProgress && {
      onDownloadProgress: options.providerOptions.onDownloadProgress,
    }),
  });
  options.onPrepared?.(loaded);
  let unlock: () => void;
  try {
    mkdirSync(loaded.runDir, { recursive: true });
    unlock = lockRun(loaded.runDir);
  } catch (err) {
    throw asStorageError(err, loaded.runDir, "cannot use the run directory");
  }
  let store: RunStore | undefined;
  try {
    store = RunStore.open(join(loaded.runDir, RUN_DB));
    recordPlan(store, loaded);
  } catch (err) {
    store?.close();
    unlock();
    throw asStorageError(err, join(loaded.runDir, RUN_DB), "could not record the plan");
  }
  return { config: loaded.config, runDir: loaded.runDir, scope: loaded.scope, store, unlock };
}

/** config → trials → model → judge → SQLite → summary; resumes whatever is missing. */
export async function runAudit(
  configFile: string,
  options: AuditOptions = {},
): Promise<AuditResult> {
  const signal = options.signal ?? new AbortController().signal;
  const { config, runDir, scope, store, unlock } = await prepareAndRecord(
    configFile,
    signal,
    options,
  );
  const progress = options.progress ?? {
    generate: newCounters("generate"),
    judge: newCounters("judge"),
  };
  try {
    const endpoints = await openEndpoints(config, options.providerFactory, options.providerOptions);
    const cache = openCache(config, dirname(resolve(configFile)));
    options.onStart?.();
    try {
      await executePending({
        store,
        subjects: endpoints.subjects,
        judge: {
          id: judgeId(config.judge.model),
          endpoint: endpoints.judge,
          params: { temperature: 0, maxTokens: 400, ...toJudgeParams(config) },
          ...(cache && { cache }),
        },
        retry: retryPolicy(config),
        timeoutMs: config.timeout_ms,
        signal,
        progress,
        scope,
        ...(cache && { cache }),
        ...(config.challenge && {
          challenge: {
            texts: config.challenge.texts,
            tasks: (config.challenge.tasks as TaskName[] | undefined) ?? [
              ...DEFAULT_CHALLENGE_TASKS,
            ],
            seed: config.seed,
          },
        }),
      });
      if (config.warmth && !signal.aborted) {
        await measureRunWarmth(store, config, endpoints.judge, signal, options);
      }
    } finally {
      cache?.close();
      await endpoints.close();
    }
    const summary = summarizeRun(store, config);
    try {
      writeFileSync(join(runDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    } catch (err) {
      throw asStorageError(err, join(runDir, SUMMARY_FILE), "could not write the summary");
    }
    return { runDir, summary, progress, interrupted: signal.aborted };
  } finally {
    store.close();
    unlock();
  }
}

function openCache(config: AuditConfig, baseDir: string): ResponseCache | undefined {
  if (config.cache === false) return undefined;
  const dir =
    typeof config.cache === "object" && config.cache.dir
      ? resolve(baseDir, config.cache.dir)
      : defaultCacheDir();
  return new ResponseCache(join(dir, "responses.sqlite"));
}
