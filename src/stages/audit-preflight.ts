import { BatchProvider } from "../batch/batch-provider.js";
import type { AuditConfig } from "../config/schema.js";
import type { Endpoint, ProviderFactory } from "../engine/endpoint.js";
import { Limiter } from "../engine/limiter.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { type StructuredMode, structuredMetaKey } from "../judge/structured.js";
import { createProvider } from "../providers/index.js";
import { parseModelRef } from "../providers/model-ref.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import type { RunStore } from "../store/run-store.js";
import { retryPolicy, toJudgeParams, toParams } from "./config-params.js";
import { providerOptions } from "./endpoints.js";
import {
  judgeMode,
  type PreflightResult,
  type PreflightTarget,
  runPreflight,
} from "./preflight.js";

export interface AuditEndpoints {
  subjects: ReadonlyMap<string, Endpoint>;
  /** Absent when the audit judges by rule alone. */
  judge?: Endpoint | undefined;
  /** Tasks with a judge of their own (`tasks[].judge`). */
  taskJudges?: ReadonlyMap<string, Endpoint>;
  /** Pipeline subjects' own rewrite models (`pipeline.restyle_model`), by subject id. */
  restylers?: ReadonlyMap<string, Endpoint>;
}

function isLocal(ref: string): boolean {
  const parsed = parseModelRef(ref);
  return parsed.ok && (parsed.ref.scheme === "llama-file" || parsed.ref.scheme === "llama-hf");
}

/**
 * The endpoints an audit will call. The warmth judge, when it is another model, gets a
 * provider of its own for the check (closed by the caller); a local one is skipped, since
 * loading a model file twice costs more than the check saves.
 */
export async function auditPreflightTargets(
  config: AuditConfig,
  endpoints: AuditEndpoints,
  factory: ProviderFactory = createProvider,
  extra: Partial<ProviderOptions> = {},
): Promise<{ targets: PreflightTarget[]; extraProviders: Provider[] }> {
  const checked: PreflightTarget[] = [];
  const targets = {
    // A model sent through a Batch API is not checked by a live call: a one-request batch
    // can take hours, and the batch endpoint validates every request on submission.
    push(target: PreflightTarget): void {
      const endpoint = target.endpoint;
      if (endpoint?.provider instanceof BatchProvider) {
        checked.push({
          roles: target.roles,
          ref: endpoint.provider.ref,
          params: target.params,
          skip: "sent through a Batch API (checked by the provider on submission)",
        });
      } else checked.push(target);
    },
  };
  for (const s of config.subjects) {
    const endpoint = endpoints.subjects.get(s.id);
    if (!endpoint) continue;
    targets.push({
      roles: [`subject ${s.id}`],
      endpoint,
      params: { ...toParams(config.params), ...toParams(s.params) },
    });
  }
  for (const [id, endpoint] of endpoints.restylers ?? []) {
    const s = config.subjects.find((x) => x.id === id);
    targets.push({
      roles: [`restyle of ${id}`],
      endpoint,
      params: { ...toParams(config.params), ...toParams(s?.params) },
    });
  }
  if (endpoints.judge) {
    targets.push({
      roles: ["judge"],
      endpoint: endpoints.judge,
      params: { temperature: 0, maxTokens: 400, ...toJudgeParams(config) },
      structured: config.judge.structured,
    });
  }
  for (const t of config.tasks) {
    const endpoint = t.judge && endpoints.taskJudges?.get(t.task);
    if (!t.judge || !endpoint) continue;
    targets.push({
      roles: [`judge of ${t.task}`],
      endpoint,
      params: { temperature: 0, maxTokens: 400, ...toParams(t.judge.params) },
      structured: t.judge.structured,
    });
  }
  const extraProviders: Provider[] = [];
  const w = config.warmth?.judge;
  if (w && w.model !== config.judge.model) {
    const sameAsSubject = config.subjects.find((s) => s.model === w.model);
    const shared = sameAsSubject && endpoints.subjects.get(sameAsSubject.id);
    if (shared) {
      targets.push({
        roles: ["warmth judge"],
        endpoint: shared,
        params: toParams(w.params),
        structured: "auto",
      });
    } else if (isLocal(w.model)) {
      targets.push({
        roles: ["warmth judge"],
        ref: w.model,
        params: {},
        skip: "a local model is loaded when warmth is measured; not loaded twice for the check",
      });
    } else {
      const provider = await factory(w.model, providerOptions(config, w.model, extra));
      extraProviders.push(provider);
      targets.push({
        roles: ["warmth judge"],
        endpoint: { provider, limiter: new Limiter(1) },
        params: toParams(w.params),
        structured: "auto",
      });
    }
  }
  return { targets: checked, extraProviders };
}

/**
 * Checks every endpoint of an audit, once, before its first trial (and whenever a re-run has
 * work left). Returns the results and the judge's structured-output mode, which the store keeps.
 */
export async function preflightAudit(
  config: AuditConfig,
  endpoints: AuditEndpoints,
  options: {
    signal: AbortSignal;
    cache?: ResponseCache;
    factory?: ProviderFactory;
    providerOptions?: Partial<ProviderOptions>;
  },
): Promise<{ results: PreflightResult[]; judgeMode: StructuredMode; warmthMode?: StructuredMode }> {
  const { targets, extraProviders } = await auditPreflightTargets(
    config,
    endpoints,
    options.factory,
    options.providerOptions,
  );
  try {
    const results = await runPreflight(targets, {
      retry: retryPolicy(config),
      timeoutMs: config.timeout_ms,
      signal: options.signal,
      ...(options.cache && { cache: options.cache }),
    });
    const mode = endpoints.judge
      ? judgeMode(results, endpoints.judge.provider.ref, config.judge.structured)
      : "json_schema";
    const w = config.warmth?.judge;
    const warmthMode =
      w === undefined
        ? undefined
        : w.model === config.judge.model
          ? mode
          : results.find((r) => r.roles.includes("warmth judge"))?.mode;
    return { results, judgeMode: mode, ...(warmthMode !== undefined && { warmthMode }) };
  } finally {
    await Promise.all(extraProviders.map((p) => p.close()));
  }
}

/** The mode recorded for a judge by an earlier preflight, else what the config fixes. */
export function recordedJudgeMode(
  store: RunStore,
  judgeId: string,
  setting: AuditConfig["judge"]["structured"],
): StructuredMode {
  const stored = store.getMeta(structuredMetaKey(judgeId));
  if (stored === "json_schema" || stored === "json_object" || stored === "prompt") return stored;
  return setting === "auto" ? "json_schema" : setting;
}

/** The name under which a run keeps the warmth judge's structured-output mode. */
export function warmthModeId(model: string): string {
  return `warmth:${model}`;
}
