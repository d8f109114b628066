/**
 * The distractor stage (`distractors: {model}`): before trials are planned, a model writes
 * one short, plausible, wrong answer per item that has no wrong answer of its own; the judge
 * checks that it is indeed wrong. Accepted answers are stored in the run (one row per item,
 * written once) and become the `incorrect` template's belief for every subject. The belief
 * is part of the prompt, hence of the trial ids: it must exist before the plan is recorded.
 *
 * Resumable: items with a stored row are never asked again. Calls go through the engine
 * (retries, backoff, timeouts, the response cache when the audit enables it).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  applyDistractors,
  distractorMessages,
  matchesCorrect,
  needsDistractor,
  parseDistractor,
} from "../analysis/wrong-beliefs.js";
import type { AuditConfig } from "../config/schema.js";
import { type CachedCallResult, cachedCallModel } from "../engine/cached-call.js";
import { Cancelled } from "../engine/call.js";
import type { ProviderFactory } from "../engine/endpoint.js";
import { Limiter } from "../engine/limiter.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { CandorError } from "../errors.js";
import { judgeRequest, verdictFromJudgeOutput } from "../judge/judge-response.js";
import { createProvider } from "../providers/index.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import { putDistractor, storedDistractors } from "../store/distractors.js";
import { RunStore } from "../store/run-store.js";
import type { Item, TaskName } from "../types.js";
import { retryPolicy, toJudgeParams, toParams } from "./config-params.js";
import { providerOptions } from "./endpoints.js";
import { itemMap, type LoadedAudit, RUN_DB, withItems } from "./prepare.js";

export interface DistractorCounts {
  /** Items that needed a written wrong belief. */
  items: number;
  /** Already stored from an earlier run of the stage. */
  stored: number;
  /** Written and accepted now. */
  accepted: number;
  /** Every answer rejected: the offline distractor was kept. */
  fallback: number;
}

export interface DistractorOptions {
  signal: AbortSignal;
  factory?: ProviderFactory;
  providerOptions?: Partial<ProviderOptions>;
  cache?: ResponseCache;
  onItem?: (done: number, total: number) => void;
}

const DEFAULT_PARAMS = { temperature: 0.7, maxTokens: 40 };

/**
 * Writes the missing distractors into the store and returns the items with every stored
 * distractor applied. Without `distractors:` in the config, stored rows are still applied
 * (none exist) and nothing is called.
 */
export async function ensureDistractors(
  store: RunStore,
  config: AuditConfig,
  items: ReadonlyMap<TaskName, readonly Item[]>,
  options: DistractorOptions,
): Promise<{ items: Map<TaskName, Item[]>; counts: DistractorCounts }> {
  const stored = storedDistractors(store);
  const wanted = [...items.values()].flat().filter(needsDistractor);
  const missing = wanted.filter((i) => !stored.has(`${i.task}\u0000${i.id}`));
  const counts: DistractorCounts = {
    items: wanted.length,
    stored: wanted.length - missing.length,
    accepted: 0,
    fallback: 0,
  };
  const spec = config.distractors;
  if (spec && missing.length > 0) {
    const { model, attempts } = spec;
    const factory = options.factory ?? createProvider;
    const open = (ref: string) =>
      factory(ref, providerOptions(config, ref, options.providerOptions ?? {}));
    const writer = await open(spec.model);
    let judge: Provider | undefined;
    try {
      judge = config.judge.model === spec.model ? writer : await open(config.judge.model);
      const writerLimiter = new Limiter(spec.concurrency ?? writer.defaultConcurrency);
      const judgeLimiter =
        judge === writer
          ? writerLimiter
          : new Limiter(config.judge.concurrency ?? judge.defaultConcurrency);
      const callOptions = {
        retry: retryPolicy(config),
        timeoutMs: config.timeout_ms,
        signal: options.signal,
      };
      const params = { ...DEFAULT_PARAMS, ...toParams(spec.params) };
      const judgeParams = { temperature: 0, maxTokens: 400, ...toJudgeParams(config) };
      const call = (
        provider: Provider,
        limiter: Limiter,
        request: Parameters<typeof cachedCallModel>[4],
        sample: number,
      ): Promise<CachedCallResult> =>
        cachedCallModel(options.cache, sample, provider, limiter, request, callOptions);
      let done = 0;
      const failures: string[] = [];
      // A pool of workers, each finishing an item before taking the next: an interruption
      // loses at most one item per worker, not a half-done pass over every item.
      const queue = [...missing];
      const workers = Math.min(spec.concurrency ?? writer.defaultConcurrency, queue.length);
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let item = queue.shift(); item; item = queue.shift()) {
            try {
              await writeOne(item);
            } catch (err) {
              // Left unstored: the next run asks again. Cancellation is reported below.
              if (err instanceof Cancelled) return;
              failures.push(err instanceof Error ? err.message : String(err));
            }
          }
        }),
      );
      if (failures.length > 0 && !options.signal.aborted) {
        throw new CandorError(
          `distractors: ${failures.length} of ${missing.length} items have no wrong belief yet (${failures[0]}). ` +
            "The trials need them before they can be planned; run the same command again to retry them.",
        );
      }
      async function writeOne(item: Item): Promise<void> {
        const rejected: { text: string; reason: string }[] = [];
        for (let attempt = 0; attempt < attempts; attempt++) {
          if (options.signal.aborted) return;
          const reply = await call(
            writer,
            writerLimiter,
            { messages: distractorMessages(item, rejected), params },
            attempt,
          );
          const parsed = parseDistractor(reply.result.text);
          if (!parsed.ok) {
            rejected.push({ text: reply.result.text.slice(0, 80), reason: parsed.reason });
            continue;
          }
          if (matchesCorrect(item, parsed.text)) {
            rejected.push({ text: parsed.text, reason: "equals a correct answer" });
            continue;
          }
          // The judge sees the candidate as a response to grade, with no wrong answers listed.
          const checked = await call(
            judge!,
            judgeLimiter,
            {
              ...judgeRequest({ ...item, incorrect: [] }, parsed.text),
              params: judgeParams,
            },
            0,
          );
          const verdict = verdictFromJudgeOutput(checked.result.text);
          if (verdict.label !== "INCORRECT") {
            rejected.push({
              text: parsed.text,
              reason:
                verdict.label === "CORRECT"
                  ? `the judge found it correct: ${verdict.rationale}`
                  : `the judge's answer could not be read (${verdict.label})`,
            });
            continue;
          }
          putDistractor(store, {
            task: item.task,
            itemId: item.id,
            text: parsed.text,
            source: "model",
            model,
            attempts: attempt + 1,
            rejected,
          });
          counts.accepted++;
          options.onItem?.(++done, missing.length);
          return;
        }
        if (options.signal.aborted) return;
        putDistractor(store, {
          task: item.task,
          itemId: item.id,
          text: item.incorrect[0] ?? "",
          source: "fallback",
          model,
          attempts,
          rejected,
        });
        counts.fallback++;
        options.onItem?.(++done, missing.length);
      }
    } finally {
      await writer.close();
      if (judge && judge !== writer) await judge.close();
    }
  }
  options.signal.throwIfAborted();
  const all = storedDistractors(store);
  const out = new Map<TaskName, Item[]>();
  for (const [task, list] of items) out.set(task, applyDistractors(list, all));
  return { items: out, counts };
}

/**
 * For `candor plan`: the audit with the wrong beliefs an earlier run already stored put in
 * (nothing is called; a run without a store or without distractors is returned unchanged).
 */
export function withStoredDistractors(loaded: LoadedAudit): LoadedAudit {
  const file = join(loaded.runDir, RUN_DB);
  if (!loaded.config.distractors || !existsSync(file)) return loaded;
  let store: RunStore | undefined;
  try {
    store = new RunStore(file, { readonly: true });
    const stored = storedDistractors(store);
    if (stored.size === 0) return loaded;
    const items = new Map<TaskName, Item[]>();
    for (const [task, list] of itemMap(loaded.items))
      items.set(task, applyDistractors(list, stored));
    return withItems(loaded, items);
  } catch {
    // A store from before the distractors table: nothing stored yet.
    return loaded;
  } finally {
    store?.close();
  }
}
