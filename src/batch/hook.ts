/**
 * Puts the models an audit marks `batch:` behind a BatchProvider: a provider factory that the
 * audit hands to endpoints and warmth measures, and a pass that gives batch endpoints a
 * limiter sized for batches rather than for live connections.
 */
import { type BatchSettings, batchSettings } from "../config/batch.js";
import type { AuditConfig } from "../config/schema.js";
import { Limiter } from "../engine/limiter.js";
import { ProviderConfigError } from "../errors.js";
import { createProvider } from "../providers/index.js";
import { parseModelRef } from "../providers/model-ref.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import type { RunStore } from "../store/run-store.js";
import type { TaskName } from "../types.js";
import { AnthropicBatchBackend } from "./anthropic-batch.js";
import type { BatchBackend } from "./backend.js";
import { BatchProvider } from "./batch-provider.js";
import { BatchStore } from "./batch-store.js";
import type { BatchCounters } from "./counters.js";
import { OpenAIBatchBackend } from "./openai-batch.js";

type Factory = (ref: string, options: ProviderOptions) => Promise<Provider>;

/** Model reference → batch settings, for every model the config sends through a Batch API. */
export function batchedRefs(config: AuditConfig): Map<string, BatchSettings> {
  const refs = new Map<string, BatchSettings>();
  const add = (ref: string, value: Parameters<typeof batchSettings>[0]) => {
    const s = batchSettings(value);
    // One endpoint per model reference: if any user of it asks for batches, all its calls go so.
    if (s && !refs.has(ref)) refs.set(ref, s);
  };
  for (const s of config.subjects) add(s.model, s.batch);
  add(config.judge.model, config.judge.batch);
  if (config.warmth?.judge) add(config.warmth.judge.model, config.warmth.judge.batch);
  return refs;
}

export function batchBackend(ref: string, opts: ProviderOptions): BatchBackend {
  const parsed = parseModelRef(ref);
  if (!parsed.ok) throw new ProviderConfigError(parsed.reason);
  const r = parsed.ref;
  switch (r.scheme) {
    case "openai":
      return new OpenAIBatchBackend({ scheme: "openai", model: r.model, ref }, opts);
    case "openai-compatible":
      return new OpenAIBatchBackend(
        { scheme: "openai-compatible", model: r.model, baseURL: r.baseURL, ref },
        opts,
      );
    case "anthropic":
      return new AnthropicBatchBackend(r.model, ref, opts);
    default:
      throw new ProviderConfigError(
        `${ref}: batch is for provider APIs (openai, openai-compatible, anthropic); run local models live, or export with \`candor batch export\``,
      );
  }
}

/** Wraps a provider factory so batched models get a BatchProvider (resuming earlier batches). */
export function batchingFactory(
  config: AuditConfig,
  store: RunStore,
  counters: BatchCounters,
  inner: Factory = createProvider,
): Factory {
  const refs = batchedRefs(config);
  if (refs.size === 0) return inner;
  const batchStore = new BatchStore(store);
  return async (ref, opts) => {
    const settings = refs.get(ref);
    if (!settings) return inner(ref, opts);
    const live = settings.retry === "live" ? await inner(ref, opts) : undefined;
    const provider = new BatchProvider(
      ref,
      batchBackend(ref, opts),
      batchStore,
      settings,
      counters,
      live,
    );
    provider.resume();
    return provider;
  };
}

/** A batch endpoint's limiter bounds requests waiting on batches, not open connections. */
export function batchLimiters<E extends { provider: Provider; limiter: Limiter }>(endpoints: {
  subjects: Map<string, E>;
  judge: E | undefined;
  taskJudges: Map<TaskName, E>;
}): void {
  const replaced = new Map<E, E>();
  const swap = (e: E): E => {
    if (!(e.provider instanceof BatchProvider)) return e;
    let r = replaced.get(e);
    if (!r) {
      r = { ...e, limiter: new Limiter(e.provider.defaultConcurrency) };
      replaced.set(e, r);
    }
    return r;
  };
  for (const [id, e] of endpoints.subjects) endpoints.subjects.set(id, swap(e));
  if (endpoints.judge) endpoints.judge = swap(endpoints.judge);
  for (const [task, e] of endpoints.taskJudges) endpoints.taskJudges.set(task, swap(e));
}
