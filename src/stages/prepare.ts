import { join, resolve } from "node:path";
import { wrongBeliefOrigins } from "../analysis/wrong-beliefs.js";
import type { AuditConfig } from "../config/schema.js";
import { type ConfigSource, resolveConfigSource } from "../config/source.js";
import { loadTask } from "../data/index.js";
import { planTrials } from "../design/plan.js";
import { CandorError, ConfigError } from "../errors.js";
import { refusalRubricRecord } from "../judge/refusal-rubric.js";
import { RUBRIC_VERSION, rubricRecord } from "../judge/rubrics.js";
import type { ProviderOptions } from "../providers/types.js";
import { changedItems } from "../store/item-changes.js";
import { RUN_DB } from "../store/run-files.js";
import type { RunStore, TrialScope } from "../store/run-store.js";
import { resolveTunedRef } from "../tuning/registry.js";
import type { BeliefLabel, ContextLabel, Item, TaskName } from "../types.js";
import type { DatasetRecord, LoadedAudit } from "./loaded-audit.js";
import { configSnapshot } from "./snapshot.js";
import { readLock, verifyDatasets } from "./source-lock.js";

export type { DatasetRecord, LoadedAudit } from "./loaded-audit.js";
export { RUN_DB };

/** Reads the config (a path or an object) and datasets and expands the trials. Calls no model. */
export async function prepareAudit(
  source: ConfigSource,
  options: {
    /** Relative paths of a config object resolve against this (default: the working directory). */
    baseDir?: string;
    contexts?: readonly ContextLabel[];
    beliefs?: readonly BeliefLabel[];
    cacheDir?: string;
    signal?: AbortSignal;
    onDownloadProgress?: ProviderOptions["onDownloadProgress"];
    /** Read the data without checking the config's lock file (`candor lock` re-locking). */
    ignoreLock?: boolean;
  } = {},
): Promise<LoadedAudit> {
  const resolved = resolveConfigSource(source, options.baseDir);
  const { baseDir, file: configFile } = resolved;
  const config = resolveTunedModels(resolved.config, baseDir);
  const runDir = resolve(baseDir, config.output ?? join("runs", config.name));
  const items: Partial<Record<TaskName, Item[]>> = {};
  const datasets: DatasetRecord[] = [];
  for (const task of config.tasks) {
    const loaded = await loadTask(
      {
        task: task.task,
        ...(task.path !== undefined && { path: task.path }),
        ...(task.hub !== undefined && { hub: task.hub }),
        ...(task.columns !== undefined && { columns: task.columns }),
        ...(task.n !== undefined && { n: task.n }),
        ...(task.encoding !== undefined && { encoding: task.encoding }),
      },
      {
        seed: config.seed,
        baseDir,
        ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
        ...(options.signal !== undefined && { signal: options.signal }),
        ...(options.onDownloadProgress !== undefined && { onProgress: options.onDownloadProgress }),
      },
    );
    items[task.task] = loaded.items;
    datasets.push({
      task: task.task,
      items: loaded.items.length,
      total: loaded.total,
      kind: loaded.source.kind,
      // Paths inside the user's cache are machine-specific; the URL, commit and hash are not.
      files: loaded.source.files.map((f) => ({
        ...(loaded.source.kind === "local" ? { path: f.path } : {}),
        ...(f.url !== undefined && { url: f.url }),
        ...(f.repoCommit !== undefined && { repoCommit: f.repoCommit }),
        sha256: f.sha256,
        bytes: f.bytes,
      })),
      ...(loaded.warnings.length > 0 && { notes: loaded.warnings }),
    });
  }
  // A lock file beside the config (candor lock) pins the bytes: anything else stops here.
  const locked = options.ignoreLock ? undefined : readLock(configFile);
  if (locked) verifyDatasets(locked.file, locked.lock, datasets);
  const scope = checkScope(config, configFile, options.contexts, options.beliefs);
  const plan = planTrials(config, itemMap(items), {
    ...(scope.contexts && { contexts: scope.contexts as ContextLabel[] }),
    ...(scope.beliefs && { beliefs: scope.beliefs as BeliefLabel[] }),
  });
  const warnings = datasets.flatMap((d) => d.notes ?? []);
  return { config, configFile, baseDir, runDir, items, plan, scope, datasets, warnings };
}

/**
 * The same audit with other items (e.g. model-written wrong beliefs put in): the plan is
 * expanded again, since the belief is part of the prompt and so of the trial ids.
 */
export function withItems(loaded: LoadedAudit, items: ReadonlyMap<TaskName, Item[]>): LoadedAudit {
  const plan = planTrials(loaded.config, items, {
    ...(loaded.scope.contexts && { contexts: loaded.scope.contexts as ContextLabel[] }),
    ...(loaded.scope.beliefs && { beliefs: loaded.scope.beliefs as BeliefLabel[] }),
  });
  return { ...loaded, items: Object.fromEntries(items), plan };
}

/** A loaded audit's items per task as a Map (LoadedAudit keeps a plain object for library users). */
export function itemMap(items: LoadedAudit["items"]): Map<TaskName, Item[]> {
  return new Map(Object.entries(items) as [TaskName, Item[]][]);
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
    tasks: config.tasks.map((t) =>
      t.judge ? { ...t, judge: { ...t.judge, model: resolveRef(t.judge.model) } } : t,
    ),
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

/** What to do about a design change, the same words for every kind of change. */
const DESIGN_CHANGE_ADVICE =
  "Nothing was changed; set a different `output:` directory for the new design, or restore the previous config to resume.";

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
        `(a subject, prompt, parameter, seed or task changed). ${DESIGN_CHANGE_ADVICE}`,
    );
  }
  const items = Object.values(loaded.items).flat();
  const changed = changedItems(store, items);
  if (changed.length > 0) {
    const first = changed[0]!;
    const more = changed.length > 1 ? ` (and ${changed.length - 1} more items)` : "";
    throw new CandorError(
      `${join(loaded.runDir, RUN_DB)}: item ${first.task}/${first.id}${more} changed in the dataset since this run ` +
        `recorded it (${first.fields.join(" and ")} differ). ${DESIGN_CHANGE_ADVICE}`,
    );
  }
  store.recordPlan(loaded.plan.subjects, items, loaded.plan.trials);
  store.setMeta("config", JSON.stringify(configSnapshot(loaded.config)));
  store.setMeta("datasets", JSON.stringify(loaded.datasets));
  store.setMeta("wrong_beliefs", JSON.stringify(wrongBeliefOrigins(items)));
  store.setMeta(`rubric_${RUBRIC_VERSION}`, JSON.stringify(rubricRecord()));
  // `refusals: judge` adds a REFUSAL verdict to the rubric: kept beside it for traceability.
  if (loaded.config.refusals === "judge")
    store.setMeta("rubric_refusals", JSON.stringify(refusalRubricRecord()));
  if (store.getMeta("created_at") === undefined)
    store.setMeta("created_at", new Date().toISOString());
}
