import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { summarizeRun } from "../analysis/run-summary.js";
import type { Summary } from "../analysis/summary.js";
import { newBatchCounters } from "../batch/counters.js";
import { batchingFactory, batchLimiters } from "../batch/hook.js";
import type { AuditConfig } from "../config/schema.js";
import type { ConfigSource } from "../config/source.js";
import { defaultCacheDir } from "../data/hub/hub.js";
import { DEFAULT_CHALLENGE_TASKS } from "../design/challenge.js";
import { challengeTextsFor } from "../design/language-texts.js";
import { type AuditProgress, newCounters } from "../engine/counters.js";
import { ResponseCache } from "../engine/response-cache.js";
import { evaluateGate } from "../gate/evaluate.js";
import type { GateResult } from "../gate/types.js";
import { runJudgeId } from "../judge/run-judge.js";
import { structuredMetaKey } from "../judge/structured.js";
import { createProvider } from "../providers/index.js";
import type { ModelProvenance } from "../providers/model-provenance.js";
import { type ReplicaStats, replicaFactory, replicaStatsOf } from "../providers/replicas.js";
import type { Provider } from "../providers/types.js";
import { SUMMARY_FILE } from "../store/run-files.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore, type TrialScope } from "../store/run-store.js";
import { asStorageError } from "../store/storage-errors.js";
import type { TaskName } from "../types.js";
import type { AuditOptions } from "./audit-options.js";
import { preflightAudit, recordedJudgeMode, warmthModeId } from "./audit-preflight.js";
import { retryPolicy } from "./config-params.js";
import { ensureDistractors } from "./distractors.js";
import { openEndpoints } from "./endpoints.js";
import { executePending } from "./execute.js";
import { auditJudgeContext } from "./judge-contexts.js";
import { measureRunWarmth } from "./measure.js";
import { pipelineSubjects } from "./pipeline-trial.js";
import { assertPreflight } from "./preflight.js";
import {
  itemMap,
  type LoadedAudit,
  prepareAudit,
  RUN_DB,
  recordPlan,
  withItems,
} from "./prepare.js";
import { pressureSettings } from "./pressure-settings.js";
import { scoreRulePending } from "./rule-check.js";
import { readLock, verifyModels } from "./source-lock.js";

export { summarizeRun } from "../analysis/run-summary.js";
export { SUMMARY_FILE } from "../store/run-files.js";
export type { AuditOptions } from "./audit-options.js";
export { type LoadedAudit, prepareAudit, RUN_DB, recordPlan } from "./prepare.js";

export interface AuditResult {
  runDir: string;
  summary: Summary;
  progress: AuditProgress;
  interrupted: boolean;
  /** The audit file's `gate:` applied to the summary (absent without one, or when interrupted). */
  gate?: GateResult;
}

/**
 * Plans and records the trials, then lets the plan go: execution reads pending
 * work from the store a page at a time, so memory does not grow with the grid.
 */
async function prepareAndRecord(
  source: ConfigSource,
  signal: AbortSignal,
  options: AuditOptions,
): Promise<{
  config: AuditConfig;
  baseDir: string;
  runDir: string;
  scope: TrialScope;
  store: RunStore;
  unlock: () => void;
}> {
  let loaded = await prepareAudit(source, {
    signal,
    ...(options.baseDir !== undefined && { baseDir: options.baseDir }),
    ...(options.contexts && { contexts: options.contexts }),
    ...(options.beliefs && { beliefs: options.beliefs }),
    ...(options.providerOptions?.onDownloadProgress && {
      onDownloadProgress: options.providerOptions.onDownloadProgress,
    }),
  });
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
    loaded = await withDistractors(store, loaded, signal, options);
    options.onPrepared?.(loaded);
    recordPlan(store, loaded);
  } catch (err) {
    store?.close();
    unlock();
    throw asStorageError(err, join(loaded.runDir, RUN_DB), "could not record the plan");
  }
  return {
    config: loaded.config,
    baseDir: loaded.baseDir,
    runDir: loaded.runDir,
    scope: loaded.scope,
    store,
    unlock,
  };
}

/** Model-written wrong beliefs (`distractors:`), stored before the plan that contains them. */
async function withDistractors(
  store: RunStore,
  loaded: LoadedAudit,
  signal: AbortSignal,
  options: AuditOptions,
): Promise<LoadedAudit> {
  if (!loaded.config.distractors) return loaded;
  const cache = openCache(loaded.config, loaded.baseDir);
  try {
    const { items } = await ensureDistractors(store, loaded.config, itemMap(loaded.items), {
      signal,
      ...(options.providerFactory && { factory: options.providerFactory }),
      ...(options.providerOptions && { providerOptions: options.providerOptions }),
      ...(cache && { cache }),
    });
    return withItems(loaded, items);
  } finally {
    cache?.close();
  }
}

/**
 * config (a path or an object) → trials → model → judge → SQLite → summary; resumes
 * whatever is missing.
 */
export async function runAudit(
  source: ConfigSource,
  options: AuditOptions = {},
): Promise<AuditResult> {
  const signal = options.signal ?? new AbortController().signal;
  const { config, baseDir, runDir, scope, store, unlock } = await prepareAndRecord(
    source,
    signal,
    options,
  );
  const progress = options.progress ?? {
    generate: newCounters("generate"),
    judge: newCounters("judge"),
  };
  let replicas: ReplicaStats[] = [];
  try {
    const factory = batchingFactory(
      config,
      store,
      options.batchProgress ?? newBatchCounters(),
      replicaFactory(replicaUrls(config), options.providerFactory ?? createProvider),
    );
    const endpoints = await openEndpoints(config, factory, options.providerOptions);
    batchLimiters(endpoints);
    try {
      recordModelFiles(store, source, [
        ...(endpoints.judge ? [endpoints.judge] : []),
        ...endpoints.taskJudges.values(),
        ...endpoints.subjects.values(),
      ]);
    } catch (err) {
      await endpoints.close();
      throw err;
    }
    const cache = openCache(config, baseDir);
    const judge = runJudgeId(config);
    try {
      let structured = recordedJudgeMode(store, judge, config.judge.structured);
      const warmthId = config.warmth?.judge && warmthModeId(config.warmth.judge.model);
      let warmthMode = warmthId ? recordedJudgeMode(store, warmthId, "auto") : undefined;
      // Before the first trial (and on any re-run with work left): every endpoint answers.
      if (store.countPendingGeneration(scope) > 0 || store.countPendingJudgment(judge, scope) > 0) {
        const checked = await preflightAudit(config, endpoints, {
          signal,
          ...(cache && { cache }),
          ...(options.providerFactory && { factory: options.providerFactory }),
          ...(options.providerOptions && { providerOptions: options.providerOptions }),
        });
        options.onPreflight?.(checked.results);
        if (signal.aborted)
          return { runDir, summary: summarizeRun(store, config), progress, interrupted: true };
        assertPreflight(
          checked.results,
          typeof source === "string"
            ? `Fix the endpoint and re-run; \`npx candor plan ${source} --check\` repeats this check without running trials.`
            : "Fix the endpoint and re-run; `candor plan --check` repeats this check without running trials.",
        );
        structured = checked.judgeMode;
        store.setMeta(structuredMetaKey(judge), structured);
        if (warmthId && checked.warmthMode) {
          warmthMode = checked.warmthMode;
          store.setMeta(structuredMetaKey(warmthId), warmthMode);
        }
      }
      options.onStart?.();
      await executePending({
        store,
        subjects: endpoints.subjects,
        pipelines: pipelineSubjects(config.subjects, endpoints),
        judge: auditJudgeContext(config, endpoints, cache, structured),
        maxUnparseable: config.judge.max_unparseable,
        retry: retryPolicy(config),
        timeoutMs: config.timeout_ms,
        signal,
        progress,
        scope,
        ...(cache && { cache }),
        ...(config.challenge && {
          challenge: {
            texts: config.challenge.texts,
            textsFor: (language) =>
              challengeTextsFor(config, config.challenge?.texts ?? [], language),
            tasks: (config.challenge.tasks as TaskName[] | undefined) ?? [
              ...DEFAULT_CHALLENGE_TASKS,
            ],
            seed: config.seed,
          },
        }),
        ...(config.pressure && { pressure: pressureSettings(config, config.pressure) }),
      });
      // The rule cross-check: no model, so it costs a pass over the new responses only.
      if (!signal.aborted) scoreRulePending(store);
      if (config.warmth && !signal.aborted) {
        await measureRunWarmth(
          store,
          config,
          endpoints.judge,
          signal,
          { ...options, providerFactory: factory },
          warmthMode,
        );
      }
    } finally {
      replicas = replicaStatsOf(
        [
          ...endpoints.subjects.values(),
          ...(endpoints.judge ? [endpoints.judge] : []),
          ...endpoints.taskJudges.values(),
        ].map((e) => e.provider),
      );
      cache?.close();
      await endpoints.close();
    }
    const summary = summarizeRun(store, config);
    if (replicas.length > 0) summary.replicas = replicas;
    try {
      writeFileSync(join(runDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    } catch (err) {
      throw asStorageError(err, join(runDir, SUMMARY_FILE), "could not write the summary");
    }
    const gate = config.gate && !signal.aborted ? evaluateGate(summary, config.gate) : undefined;
    return { runDir, summary, progress, interrupted: signal.aborted, ...(gate && { gate }) };
  } finally {
    store.close();
    unlock();
  }
}

/** The sha256 (and hub commit) of every model file loaded, beside the datasets' record. */
function recordModelFiles(
  store: RunStore,
  source: ConfigSource,
  endpoints: readonly { provider: Provider }[],
): void {
  const files = new Map<string, ModelProvenance>();
  for (const e of endpoints)
    if (e.provider.provenance) files.set(e.provider.ref, e.provider.provenance);
  if (files.size === 0) return;
  // A lock file beside the config (candor lock) pins the model bytes too.
  const locked = typeof source === "string" ? readLock(source) : undefined;
  if (locked) verifyModels(locked.file, locked.lock, [...files.values()]);
  // Paths inside the user's cache are machine-specific; the ref, URL, commit and hash are not.
  const record = [...files.values()].map(({ path: _path, ...rest }) => rest);
  store.setMeta("model_files", JSON.stringify(record));
}

function replicaUrls(config: AuditConfig): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const s of [...config.subjects, config.judge]) if (s.replicas) out.set(s.model, s.replicas);
  return out;
}

function openCache(config: AuditConfig, baseDir: string): ResponseCache | undefined {
  if (config.cache === false) return undefined;
  const dir =
    typeof config.cache === "object" && config.cache.dir
      ? resolve(baseDir, config.cache.dir)
      : defaultCacheDir();
  return new ResponseCache(join(dir, "responses.sqlite"));
}
