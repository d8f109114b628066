import type { AuditConfig } from "../config/schema.js";
import type { Endpoint, ProviderFactory } from "../engine/endpoint.js";
import { Limiter } from "../engine/limiter.js";
import { RULE_MODEL } from "../judge/run-judge.js";
import { createProvider } from "../providers/index.js";
import { parseModelRef } from "../providers/model-ref.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import type { TaskName } from "../types.js";

function schemeKey(ref: string): "openai" | "openai-compatible" | "anthropic" | "llama" {
  const parsed = parseModelRef(ref);
  if (!parsed.ok) throw new Error(parsed.reason);
  const s = parsed.ref.scheme;
  return s === "llama-file" || s === "llama-hf" ? "llama" : s;
}

/** Provider options for a model reference from the audit's `providers` section. */
export function providerOptions(
  config: AuditConfig,
  ref: string,
  extra: Partial<ProviderOptions>,
): ProviderOptions {
  const key = schemeKey(ref);
  const opts: ProviderOptions = {
    timeoutMs: config.timeout_ms,
    maxResponseBytes: config.max_response_bytes,
    ...extra,
  };
  if (key === "llama") {
    const l = config.providers.llama;
    if (l?.cache_dir) opts.cacheDir = l.cache_dir;
    opts.llama = {
      ...(l?.context_size !== undefined && { contextSize: l.context_size }),
      ...(l?.threads !== undefined && { threads: l.threads }),
      ...(l?.sequences !== undefined && { sequences: l.sequences }),
    };
    return opts;
  }
  const s = config.providers[key];
  if (s?.api_key_env) opts.apiKeyEnv = s.api_key_env;
  if (s?.base_url) opts.baseURL = s.base_url;
  return opts;
}

/**
 * One provider and one limiter per distinct model reference, shared by every
 * subject (and the judge) that uses it: two subjects on one server must not
 * each assume they own its full capacity.
 */
export async function openEndpoints(
  config: AuditConfig,
  factory: ProviderFactory = createProvider,
  extra: Partial<ProviderOptions> = {},
): Promise<{
  subjects: Map<string, Endpoint>;
  /** Absent when the audit's judge is `rule` (no model). */
  judge: Endpoint | undefined;
  /** Tasks with a judge model of their own (`tasks[].judge`). */
  taskJudges: Map<TaskName, Endpoint>;
  /** Pipeline subjects with a `restyle_model` of their own, by subject id. */
  restylers: Map<string, Endpoint>;
  close: () => Promise<void>;
}> {
  const byRef = new Map<string, Endpoint>();
  const concurrencyFor = (
    ref: string,
    explicit: number | undefined,
    provider: Provider,
  ): number => {
    const key = schemeKey(ref);
    const fromProviders = key === "llama" ? undefined : config.providers[key]?.concurrency;
    return explicit ?? fromProviders ?? provider.defaultConcurrency;
  };
  const endpoint = async (ref: string, explicit: number | undefined): Promise<Endpoint> => {
    let e = byRef.get(ref);
    if (!e) {
      const provider = await factory(ref, providerOptions(config, ref, extra));
      e = { provider, limiter: new Limiter(concurrencyFor(ref, explicit, provider)) };
      byRef.set(ref, e);
    }
    return e;
  };
  const subjects = new Map<string, Endpoint>();
  try {
    for (const s of config.subjects) subjects.set(s.id, await endpoint(s.model, s.concurrency));
    const judge =
      config.judge.model === RULE_MODEL
        ? undefined
        : await endpoint(config.judge.model, config.judge.concurrency);
    const taskJudges = new Map<TaskName, Endpoint>();
    for (const t of config.tasks) {
      if (t.judge && t.judge.model !== RULE_MODEL)
        taskJudges.set(t.task, await endpoint(t.judge.model, t.judge.concurrency));
    }
    const restylers = new Map<string, Endpoint>();
    for (const s of config.subjects) {
      const restyle = typeof s.pipeline === "object" ? s.pipeline.restyle_model : undefined;
      if (restyle !== undefined) restylers.set(s.id, await endpoint(restyle, s.concurrency));
    }
    return {
      subjects,
      judge,
      taskJudges,
      restylers,
      close: async () => {
        await Promise.all([...byRef.values()].map((e) => e.provider.close()));
      },
    };
  } catch (err) {
    await Promise.all([...byRef.values()].map((e) => e.provider.close()));
    throw err;
  }
}

export type { ProviderFactory } from "../engine/endpoint.js";
