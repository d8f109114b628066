import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadAuditConfig } from "../config/load.js";
import type { AuditConfig } from "../config/schema.js";
import { defaultCacheDir } from "../data/hub/hub.js";
import { loadItems } from "../data/index.js";
import { DEFAULT_CHALLENGE_TASKS } from "../design/challenge.js";
import { type Plan, planTrials } from "../design/plan.js";
import { DEFAULT_RETRY } from "../engine/backoff.js";
import { ResponseCache } from "../engine/response-cache.js";
import { CandorError, ConfigError } from "../errors.js";
import { countFlips } from "../judge/flips.js";
import { judgeId } from "../judge/judge-response.js";
import type { ProviderOptions } from "../providers/types.js";
import { challengeOutcomes } from "../store/challenges.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore, type TrialScope } from "../store/run-store.js";
import { resolveTunedRef } from "../tuning/registry.js";
import type { BeliefLabel, ContextLabel, Item, TaskName } from "../types.js";
import {
  measureWarmth,
  openWarmthMeasures,
  type WarmthSpec,
  warmthManipulationCheck,
} from "../warmth/index.js";
import { openEndpoints, type ProviderFactory, providerOptions } from "./endpoints.js";
import type { Endpoint } from "./execute.js";
import { executePending } from "./execute.js";
import { type AuditProgress, newCounters } from "./progress.js";
import { configSnapshot } from "./snapshot.js";
import { type Summary, summarizeStore } from "./summarize.js";

export const RUN_DB = "run.sqlite";
export const SUMMARY_FILE = "summary.json";

export interface LoadedAudit {
  config: AuditConfig;
  /** The contexts/beliefs this invocation works on (a subset of the config's, from the CLI). */
  scope: TrialScope;
  configFile: string;
  runDir: string;
  items: Map<TaskName, Item[]>;
  plan: Plan;
}

/** Reads the config and datasets and expands the trials. Calls no model. */
export async function prepareAudit(
  configFile: string,
  options: {
    contexts?: readonly ContextLabel[];
    beliefs?: readonly BeliefLabel[];
    cacheDir?: string;
    signal?: AbortSignal;
    onDownloadProgress?: ProviderOptions["onDownloadProgress"];
  } = {},
): Promise<LoadedAudit> {
  const baseDir = dirname(resolve(configFile));
  const config = resolveTunedModels(loadAuditConfig(configFile), baseDir);
  const runDir = resolve(baseDir, config.output ?? join("runs", config.name));
  const items = new Map<TaskName, Item[]>();
  for (const task of config.tasks) {
    const loaded = await loadItems(
      {
        task: task.task,
        ...(task.path !== undefined && { path: task.path }),
        ...(task.hub !== undefined && { hub: task.hub }),
        ...(task.columns !== undefined && { columns: task.columns }),
        ...(task.n !== undefined && { n: task.n }),
      },
      {
        seed: config.seed,
        baseDir,
        ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
        ...(options.signal !== undefined && { signal: options.signal }),
        ...(options.onDownloadProgress !== undefined && { onProgress: options.onDownloadProgress }),
      },
    );
    items.set(task.task, loaded);
  }
  const scope = checkScope(config, configFile, options.contexts, options.beliefs);
  const plan = planTrials(config, items, {
    ...(scope.contexts && { contexts: scope.contexts as ContextLabel[] }),
    ...(scope.beliefs && { beliefs: scope.beliefs as BeliefLabel[] }),
  });
  return { config, configFile, runDir, items, plan, scope };
}

/** tuned:<job>@<epoch> → the provider's model id, so trials record what actually answered. */
function resolveTunedModels(config: AuditConfig, baseDir: string): AuditConfig {
  const registry = config.tuned_registry ? resolve(baseDir, config.tuned_registry) : undefined;
  const resolveRef = (ref: string) =>
    registry ? resolveTunedRef(ref, registry) : resolveTunedRef(ref);
  return {
    ...config,
    subjects: config.subjects.map((s) => ({ ...s, model: resolveRef(s.model) })),
    judge: { ...config.judge, model: resolveRef(config.judge.model) },
  };
}

/** CLI subsets must come from the config's design, or the run would mix designs. */
function checkScope(
  config: AuditConfig,
  configFile: string,
  contexts: readonly ContextLabel[] | undefined,
  beliefs: readonly BeliefLabel[] | undefined,
): TrialScope {
  const outside = (
    flag: string,
    chosen: readonly string[] | undefined,
    allowed: readonly string[],
  ) => {
    const bad = (chosen ?? []).filter((c) => !allowed.includes(c));
    if (bad.length > 0) {
      throw new ConfigError(
        `${flag} ${bad.join(",")}: expected a subset of the ${flag.slice(2)} in ${configFile} (${allowed.join(", ")})`,
      );
    }
  };
  outside("--contexts", contexts, config.contexts);
  outside("--beliefs", beliefs, config.beliefs);
  return { ...(contexts && { contexts }), ...(beliefs && { beliefs }) };
}

/**
 * Records the plan in the run store. A run directory belongs to one audit: a
 * config that would drop trials already there is refused rather than mixing
 * results from two designs (adding items, subjects or conditions is fine).
 */
export function recordPlan(store: RunStore, loaded: LoadedAudit): void {
  const planned = new Set(loaded.plan.trials.map((t) => t.id));
  const existing = store.trialIds(loaded.scope);
  let orphans = 0;
  for (const id of existing) if (!planned.has(id)) orphans++;
  if (orphans > 0) {
    throw new CandorError(
      `${join(loaded.runDir, RUN_DB)}: this run has ${orphans} trials that ${loaded.configFile} no longer plans ` +
        "(a subject, prompt, parameter, seed or task changed). Nothing was changed; " +
        "set a different `output:` directory for the new design, or restore the previous config to resume.",
    );
  }
  const items = [...loaded.items.values()].flat();
  store.recordPlan(loaded.plan.subjects, items, loaded.plan.trials);
  store.setMeta("config", JSON.stringify(configSnapshot(loaded.config)));
  if (store.getMeta("created_at") === undefined)
    store.setMeta("created_at", new Date().toISOString());
}

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
  mkdirSync(loaded.runDir, { recursive: true });
  const unlock = lockRun(loaded.runDir);
  let store: RunStore | undefined;
  try {
    store = RunStore.open(join(loaded.runDir, RUN_DB));
    recordPlan(store, loaded);
  } catch (err) {
    store?.close();
    unlock();
    throw err;
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
    writeFileSync(join(runDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    return { runDir, summary, progress, interrupted: signal.aborted };
  } finally {
    store.close();
    unlock();
  }
}

/** The manipulation check's measurements: SocioT and/or judge warmth ratings, resumable. */
async function measureRunWarmth(
  store: RunStore,
  config: AuditConfig,
  auditJudge: Endpoint,
  signal: AbortSignal,
  options: AuditOptions,
): Promise<void> {
  const w = config.warmth!;
  const spec: WarmthSpec = {
    ...(w.sociot && {
      sociot: {
        ...(w.sociot.model !== undefined && { model: w.sociot.model }),
        ...(w.sociot.parallel !== undefined && { parallel: w.sociot.parallel }),
        ...(w.sociot.threads !== undefined && { threads: w.sociot.threads }),
        ...(w.sociot.context_size !== undefined && { contextSize: w.sociot.context_size }),
        ...(w.sociot.concurrency !== undefined && { concurrency: w.sociot.concurrency }),
      },
    }),
    ...(w.judge && {
      judge: {
        model: w.judge.model,
        ...(w.judge.params && { params: toParams(w.judge.params) }),
        ...(w.judge.concurrency !== undefined && { concurrency: w.judge.concurrency }),
      },
    }),
  };
  const opened = await openWarmthMeasures(spec, {
    ...(options.providerFactory && { providerFactory: options.providerFactory }),
    providerOptions: (ref) => providerOptions(config, ref, options.providerOptions ?? {}),
    ...(w.judge?.model === config.judge.model && { judgeEndpoint: auditJudge }),
    retry: retryPolicy(config),
    timeoutMs: config.timeout_ms,
  });
  try {
    await measureWarmth(store, {
      ...opened.options,
      ...(w.cells !== undefined && { cells: w.cells }),
      seed: config.seed,
      signal,
    });
  } finally {
    await opened.close();
  }
}

function retryPolicy(config: AuditConfig) {
  return {
    maxAttempts: config.retry.max_attempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs: config.retry.base_delay_ms ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: config.retry.max_delay_ms ?? DEFAULT_RETRY.maxDelayMs,
  };
}

function openCache(config: AuditConfig, baseDir: string): ResponseCache | undefined {
  if (config.cache === false) return undefined;
  const dir =
    typeof config.cache === "object" && config.cache.dir
      ? resolve(baseDir, config.cache.dir)
      : defaultCacheDir();
  return new ResponseCache(join(dir, "responses.sqlite"));
}

function toJudgeParams(config: AuditConfig) {
  return toParams(config.judge.params);
}

function toParams(p: AuditConfig["params"]) {
  return {
    ...(p?.temperature !== undefined && { temperature: p.temperature }),
    ...(p?.max_tokens !== undefined && { maxTokens: p.max_tokens }),
    ...(p?.top_p !== undefined && { topP: p.top_p }),
    ...(p?.seed !== undefined && { seed: p.seed }),
  };
}
