/**
 * Embedded llama.cpp through node-llama-cpp 3.21.1 (in-process, CPU by default).
 *
 * - One `Llama` per process (lazy, shared), each model file loaded once (ref-counted across
 *   providers), one context per provider with N sequences so N generate calls run in
 *   parallel (they are evaluated together in one batch, composed so llama.cpp never has to
 *   reorder output rows: llama-batching.ts).
 * - Chats are formatted by the chat wrapper node-llama-cpp resolves from the GGUF (its Jinja
 *   template or a known family); a GGUF without a template gets the library's general wrapper.
 * - Structured output uses a grammar from `llama.createGrammarForJsonSchema` (cached per schema).
 * - Only prebuilt binaries are used (`build: "never"`): nothing is compiled or downloaded.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type {
  ChatHistoryItem,
  GbnfJsonSchema,
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
} from "node-llama-cpp";
import { ProviderCallError, ProviderConfigError } from "../errors.js";
import type { ChatMessage } from "../types.js";
import { abortedError } from "./call-errors.js";
import { defaultModelCacheDir } from "./hf-download.js";
import { DecodeBarrier } from "./llama-barrier.js";
import { lockstepStrategy, queuedSequenceIds, type SequenceIdOf } from "./llama-batching.js";
import { type EngineSettings, engineSettings } from "./llama-calibrate.js";
import { type ModelProvenance, modelProvenance } from "./model-provenance.js";
import {
  boundReplyText,
  DEFAULT_MAX_RESPONSE_BYTES,
  EmptyReply,
  maxTokensWithin,
  TRUNCATED_FINISH,
} from "./reply.js";
import type { GenerateRequest, GenerateResult, Provider, ProviderOptions } from "./types.js";

export const LLAMA_DEFAULT_SEQUENCES = 2;
export const LLAMA_DEFAULT_MAX_CONTEXT = 4096;
/** Upper bound on generated tokens when the subject sets no maxTokens (a model may never stop). */
export const LLAMA_DEFAULT_MAX_TOKENS = 1024;

/**
 * Math threads when none are configured and none could be calibrated (llama-calibrate.ts): all
 * cores but one, which stays free for the event loop
 * (HTTP, SQLite). On a 2-core machine 2 threads measured up to 3x slower than 1 (ggml's
 * threads spin against the main thread): bench/providers/llama-throughput.ts.
 */
export function defaultThreads(cpuMathCores: number): number {
  return Math.max(1, cpuMathCores - 1);
}

type NodeLlamaCpp = typeof import("node-llama-cpp");

let libPromise: Promise<NodeLlamaCpp> | undefined;
let llamaPromise: Promise<Llama> | undefined;

/** The node-llama-cpp module, imported on first use (loading it costs ~100 ms). */
function lib(): Promise<NodeLlamaCpp> {
  libPromise ??= import("node-llama-cpp");
  return libPromise;
}

/** The process-wide Llama instance (prebuilt binary, no builds or downloads). */
export function getSharedLlama(): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama, LlamaLogLevel } = await lib();
    try {
      return await getLlama({
        gpu: "auto",
        build: "never",
        progressLogs: false,
        logLevel: LlamaLogLevel.error,
      });
    } catch (err) {
      llamaPromise = undefined;
      throw new ProviderConfigError(
        `llama: could not load the llama.cpp binary for this platform (${err instanceof Error ? err.message : String(err)}); node-llama-cpp's prebuilt binaries must be installed (npm install without --ignore-scripts for @node-llama-cpp/*)`,
      );
    }
  })();
  return llamaPromise;
}

interface SharedModel {
  model: LlamaModel;
  refs: number;
}
const models = new Map<string, Promise<SharedModel>>();

async function acquireModel(
  path: string,
  gpuLayers: ProviderOptions["llama"],
): Promise<LlamaModel> {
  let p = models.get(path);
  if (!p) {
    p = (async () => {
      const llama = await getSharedLlama();
      try {
        const gl = gpuLayers?.gpuLayers;
        const model = await llama.loadModel({
          modelPath: path,
          ...(gl !== undefined ? { gpuLayers: gl } : {}),
        });
        return { model, refs: 0 };
      } catch (err) {
        models.delete(path);
        throw new ProviderConfigError(
          `llama: could not load ${path}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    })();
    models.set(path, p);
  }
  const shared = await p;
  shared.refs++;
  return shared.model;
}

async function releaseModel(path: string): Promise<void> {
  const p = models.get(path);
  if (!p) return;
  const shared = await p;
  shared.refs--;
  if (shared.refs <= 0) {
    models.delete(path);
    await shared.model.dispose();
  }
}

interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
}

/** Hands out free sequences; callers wait (abortably) when all are busy. */
class SlotPool {
  private readonly free: Slot[];
  private readonly waiters: { resolve: (s: Slot) => void; reject: (e: unknown) => void }[] = [];
  /** Called when a sequence goes idle (the decode barrier stops waiting for it). */
  onIdle: () => void = () => undefined;

  constructor(private readonly slots: readonly Slot[]) {
    this.free = [...slots];
  }

  /** Sequences in use by a generate call. */
  busy(): number {
    return this.slots.length - this.free.length;
  }

  acquire(signal: AbortSignal | undefined, onAbort: () => unknown): Promise<Slot> {
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise<Slot>((resolve, reject) => {
      const waiter = {
        resolve: (s: Slot) => {
          signal?.removeEventListener("abort", abort);
          resolve(s);
        },
        reject,
      };
      const abort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(onAbort());
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) next.resolve(slot);
    else {
      this.free.push(slot);
      this.onIdle();
    }
  }

  rejectAll(err: unknown): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const m of messages) {
    if (m.role === "system") history.push({ type: "system", text: m.content });
    else if (m.role === "user") history.push({ type: "user", text: m.content });
    else history.push({ type: "model", response: [m.content] });
  }
  history.push({ type: "model", response: [] });
  return history;
}

function finishReason(stop: string): string {
  switch (stop) {
    case "maxTokens":
      return "length";
    case "abort":
      return "abort";
    default:
      return "stop";
  }
}

export interface LlamaProviderConfig {
  /** Path of the .gguf file (relative paths resolve against the working directory). */
  path: string;
  /** The reference string (`llama:…`). */
  ref: string;
  /** True for a file in candor's download cache (its sidecar may hold hash and commit). */
  cached?: boolean;
}

export class LlamaProvider implements Provider {
  readonly ref: string;
  readonly defaultConcurrency: number;
  private closed = false;
  /** max_response_bytes: bounds max tokens and the stored text, as for HTTP providers. */
  private maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private barrier: DecodeBarrier | undefined;

  private constructor(
    ref: string,
    private readonly path: string,
    private readonly llama: Llama,
    private readonly context: LlamaContext,
    private readonly pool: SlotPool,
    private readonly slots: readonly Slot[],
    /** Name of the chat wrapper in use (e.g. "ChatML", "General"), for run metadata. */
    readonly chatWrapperName: string,
    /** The model file's sha256 (and hub commit), recorded with each run that loads it. */
    readonly provenance: ModelProvenance,
  ) {
    this.ref = ref;
    this.defaultConcurrency = context.totalSequences;
  }

  /** Loads (or reuses) the model and creates this provider's context and sequences. */
  static async create(config: LlamaProviderConfig, opts: ProviderOptions): Promise<LlamaProvider> {
    const path = resolve(config.path);
    if (!existsSync(path)) {
      throw new ProviderConfigError(`${config.ref}: model file not found: ${path}`);
    }
    const provenance = await modelProvenance(config.ref, path, { cached: config.cached ?? false });
    const { LlamaChat, resolveChatWrapper } = await lib();
    const llama = await getSharedLlama();
    const model = await acquireModel(path, opts.llama);
    let engine: EngineSettings;
    try {
      engine = await engineSettings(model, llama, provenance.sha256, {
        ...(opts.llama && { llama: opts.llama }),
        cacheDir: opts.cacheDir ?? defaultModelCacheDir(),
        defaults: {
          threads: defaultThreads(llama.cpuMathCores),
          sequences: LLAMA_DEFAULT_SEQUENCES,
        },
      });
    } catch (err) {
      await releaseModel(path);
      throw err;
    }
    const sequences = engine.sequences;
    let context: LlamaContext;
    // Batches whose rows llama.cpp never reorders (llama-batching.ts); ids are read once created.
    let created: LlamaContext | undefined;
    const idOf: SequenceIdOf = (item) => (created ? queuedSequenceIds(created)(item) : undefined);
    try {
      context = await model.createContext({
        sequences,
        contextSize: opts.llama?.contextSize ?? { max: LLAMA_DEFAULT_MAX_CONTEXT },
        threads: engine.threads,
        ...(sequences > 1
          ? { batching: { itemPrioritizationStrategy: lockstepStrategy(idOf) } }
          : {}),
      });
      created = context;
    } catch (err) {
      await releaseModel(path);
      throw new ProviderConfigError(
        `${config.ref}: could not create a context with ${sequences} sequences: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const wrapper = resolveChatWrapper(model);
    const slots: Slot[] = [];
    for (let i = 0; i < sequences; i++) {
      const sequence = context.getSequence();
      slots.push({
        sequence,
        chat: new LlamaChat({ contextSequence: sequence, chatWrapper: wrapper }),
      });
    }
    const pool = new SlotPool(slots);
    // Busy sequences decode together (llama-barrier.ts); one sequence has nothing to wait for.
    const barrier = sequences > 1 ? DecodeBarrier.install(context, () => pool.busy()) : undefined;
    if (barrier) pool.onIdle = () => barrier.wake();
    const provider = new LlamaProvider(
      config.ref,
      path,
      llama,
      context,
      pool,
      slots,
      wrapper.wrapperName,
      { ...provenance, engine },
    );
    if (opts.maxResponseBytes !== undefined) provider.maxResponseBytes = opts.maxResponseBytes;
    provider.barrier = barrier;
    return provider;
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let g = this.grammars.get(key);
    if (!g) {
      g = this.llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema as GbnfJsonSchema);
      g.catch(() => this.grammars.delete(key));
      this.grammars.set(key, g);
    }
    return g;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    if (this.closed) throw new ProviderCallError(`${this.ref}: provider is closed`, false);
    const signal = req.signal;
    if (signal?.aborted) throw abortedError(this.ref, signal);
    let grammar: LlamaGrammar | undefined;
    if (req.outputSchema) {
      try {
        grammar = await this.grammarFor(req.outputSchema.schema);
      } catch (err) {
        throw new ProviderCallError(
          `${this.ref}: cannot build a grammar for output schema ${req.outputSchema.name}: ${err instanceof Error ? err.message : String(err)}`,
          false,
        );
      }
    }
    const slot = await this.pool.acquire(signal, () => abortedError(this.ref, signal));
    let healthy = true;
    try {
      const { params } = req;
      let completionTokens = 0;
      const res = await slot.chat.generateResponse(toHistory(req.messages), {
        maxTokens: maxTokensWithin(
          params.maxTokens ?? LLAMA_DEFAULT_MAX_TOKENS,
          this.maxResponseBytes,
        ),
        ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
        ...(params.topP !== undefined ? { topP: params.topP } : {}),
        ...(params.seed !== undefined ? { seed: params.seed } : {}),
        ...(grammar ? { grammar } : {}),
        ...(signal ? { signal } : {}),
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
      });
      const total = slot.sequence.nextTokenIndex;
      const bounded = boundReplyText(res.response, this.maxResponseBytes);
      const reason = bounded.truncated ? TRUNCATED_FINISH : finishReason(res.metadata.stopReason);
      if (bounded.text.trim() === "") throw new EmptyReply(this.ref, reason);
      return {
        text: bounded.text,
        finishReason: reason,
        promptTokens: Math.max(0, total - completionTokens),
        completionTokens,
        servedModel: this.path.split(/[\\/]/).pop() ?? this.path,
      };
    } catch (err) {
      healthy = false;
      if (signal?.aborted) throw abortedError(this.ref, signal);
      if (err instanceof ProviderCallError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new ProviderCallError(`${this.ref}: generation failed: ${msg}`, false);
    } finally {
      if (!healthy) await slot.sequence.clearHistory().catch(() => undefined);
      this.pool.release(slot);
    }
  }

  /** Tokens the engine evaluated so far over all sequences: prompt input and sampled output. */
  tokenUsage(): { input: number; output: number } {
    let input = 0;
    let output = 0;
    for (const s of this.slots) {
      input += s.sequence.tokenMeter.usedInputTokens;
      output += s.sequence.tokenMeter.usedOutputTokens;
    }
    return { input, output };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.rejectAll(new ProviderCallError(`${this.ref}: provider is closed`, false));
    this.barrier?.flush();
    await this.context.dispose();
    await releaseModel(this.path);
  }
}
