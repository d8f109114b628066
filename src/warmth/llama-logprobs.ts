/**
 * Token log-probabilities of given texts on the embedded llama.cpp engine (node-llama-cpp).
 *
 * - A framed sequence is tokenized as one string (as a Hugging Face tokenizer would), with a
 *   BOS token in front when the model's tokenizer asks for one (`shouldPrependBosToken`).
 *   The frame/continuation boundary is the longest common token prefix of that and the frame
 *   prefix tokenized alone, so a token straddling the boundary counts as continuation.
 * - `LlamaContextSequence.controlledEvaluate` with `generateNext.probabilities` returns the
 *   next-token distribution after each input token (softmax of the raw logits: greedy
 *   sampler, no truncation or penalties); log p(token i) is read at position i − 1.
 * - Canonical evaluation, so a score never depends on batching, order or cache state: the
 *   frame prefix (all but its last token) is evaluated alone, then the rest (from the prefix's
 *   last token) in a second decode. The first part and its log-probabilities are the same for
 *   every text with that frame, so they are kept: a sequence works through all texts of one
 *   frame and evaluates the frame once (the batching the engine allows, see below).
 * - Parallelism: several contexts (one sequence each) evaluate different frames at once.
 *   Several sequences of one context are *not* used: node-llama-cpp 3.21.1 decodes them in one
 *   llama.cpp batch, which with per-sequence KV caches can split into interleaved micro-batches
 *   whose output rows llama.cpp reorders lazily on first read — and node-llama-cpp reads the
 *   rows of one batch from several threads at once. We saw whole sequences scored against
 *   another sequence's distributions (errors of several nats) that way; docs/warmth.md has it.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type {
  ControlledEvaluateInputItem,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import { CandorError, ProviderConfigError } from "../errors.js";
import { resolveHfModel } from "../providers/hf-download.js";
import { defaultThreads, getSharedLlama } from "../providers/llama.js";
import { parseModelRef } from "../providers/model-ref.js";
import type { FramedText } from "./frames.js";
import type { LogprobBackend, SequenceLogprobs } from "./sociot.js";

/** Contexts evaluating at once (each with its own math threads). */
export const LLAMA_SCORER_DEFAULT_PARALLEL = 1;
/** Context per sequence: GPT-2's own window (a 300-character text needs far less). */
export const LLAMA_SCORER_MAX_CONTEXT = 1024;
/** Smallest probability a float32 softmax returns before it underflows to 0. */
const FLOAT32_MIN_LOG = Math.log(1.401298464324817e-45);

export interface LlamaLogprobOptions {
  /** Contexts evaluating in parallel (default 1). */
  parallel?: number;
  /** Tokens per context (default: the model's training context, at most 1024). */
  contextSize?: number;
  /** Math threads per context (default: all cores but one, split over the contexts). */
  threads?: number;
  /** Keep the frame prefix in the KV cache across texts (default true; false = every text from scratch). */
  reusePrefix?: boolean;
  /**
   * Put a BOS token first (default: what the GGUF's tokenizer metadata says, as llama.cpp and
   * Hugging Face tokenizers do; GPT-2 has none, so its first token is not predicted).
   */
  prependBos?: boolean;
  gpuLayers?: number | "auto";
  /** `llama:hf:` downloads. */
  cacheDir?: string;
  onDownloadProgress?: (p: { file: string; done: number; total?: number }) => void;
}

interface Worker {
  context: LlamaContext;
  sequence: LlamaContextSequence;
  /** The frame-prefix part now in the KV cache (tokens 0..k−1) and the log-probs of tokens 1..k. */
  cachedPrefix: Token[] | undefined;
  cachedPrefixLogprobs: number[];
}

interface Job {
  index: number;
  tokens: Token[];
  split: number;
}

function withProbabilities(token: Token): ControlledEvaluateInputItem {
  return [token, { generateNext: { probabilities: true } }];
}

function samePrefix(a: readonly Token[], b: readonly Token[], n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export class LlamaLogprobBackend implements LogprobBackend {
  readonly ref: string;
  /** Tokens per context. */
  readonly contextSize: number;
  /** Probabilities that underflowed to 0 in float32 (clamped to the float32 minimum). */
  underflows = 0;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly prefixTokens = new Map<string, Token[]>();

  private constructor(
    ref: string,
    private readonly model: LlamaModel,
    private readonly workers: Worker[],
    private readonly reusePrefix: boolean,
    private readonly prependBos: boolean | undefined,
  ) {
    this.ref = ref;
    this.contextSize = workers[0]!.context.contextSize;
  }

  /** Opens `llama:./file.gguf` or `llama:hf:<user>/<repo>:<quant>` (downloaded on first use). */
  static async open(ref: string, opts: LlamaLogprobOptions = {}): Promise<LlamaLogprobBackend> {
    const parsed = parseModelRef(ref);
    if (!parsed.ok) throw new ProviderConfigError(parsed.reason);
    let path: string;
    if (parsed.ref.scheme === "llama-file") path = resolve(parsed.ref.path);
    else if (parsed.ref.scheme === "llama-hf") {
      path = await resolveHfModel(parsed.ref.repo, parsed.ref.file, {
        ...(opts.cacheDir !== undefined && { cacheDir: opts.cacheDir }),
        ...(opts.onDownloadProgress && { onDownloadProgress: opts.onDownloadProgress }),
      });
    } else {
      throw new ProviderConfigError(
        `SocioT scorer ${ref}: expected llama:<file.gguf> or llama:hf:<user>/<repo>:<quant>`,
      );
    }
    if (!existsSync(path)) throw new ProviderConfigError(`${ref}: model file not found: ${path}`);
    const llama = await getSharedLlama();
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: path,
        ...(opts.gpuLayers !== undefined && { gpuLayers: opts.gpuLayers }),
      });
    } catch (err) {
      throw new ProviderConfigError(
        `${ref}: could not load ${path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const parallel = Math.max(1, Math.floor(opts.parallel ?? LLAMA_SCORER_DEFAULT_PARALLEL));
    const contextSize =
      opts.contextSize ?? Math.min(model.trainContextSize || 1024, LLAMA_SCORER_MAX_CONTEXT);
    const threads =
      opts.threads ?? Math.max(1, Math.floor(defaultThreads(llama.cpuMathCores) / parallel));
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < parallel; i++) {
        const context = await model.createContext({ sequences: 1, contextSize, threads });
        workers.push({
          context,
          sequence: context.getSequence(),
          cachedPrefix: undefined,
          cachedPrefixLogprobs: [],
        });
      }
    } catch (err) {
      for (const w of workers) await w.context.dispose();
      await model.dispose();
      throw new ProviderConfigError(
        `${ref}: could not create ${parallel} scoring context(s) of ${contextSize} tokens: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return new LlamaLogprobBackend(ref, model, workers, opts.reusePrefix ?? true, opts.prependBos);
  }

  private bos(): Token[] {
    const bos = this.model.tokens.bos;
    const wanted = this.prependBos ?? this.model.tokens.shouldPrependBosToken;
    return wanted && bos !== null ? [bos] : [];
  }

  /** Tokens to evaluate and the index where the continuation starts. */
  private encode(item: FramedText): { tokens: Token[]; split: number } {
    const bos = this.bos();
    let prefix = this.prefixTokens.get(item.prefix);
    if (!prefix) {
      prefix = [...bos, ...this.model.tokenize(item.prefix)];
      this.prefixTokens.set(item.prefix, prefix);
    }
    const tokens = [...bos, ...this.model.tokenize(item.prefix + item.continuation)];
    return { tokens, split: commonPrefixLength(tokens, prefix) };
  }

  /** Calls run one after another: a context's sequence serves one call at a time. */
  logprobs(items: readonly FramedText[], signal?: AbortSignal): Promise<SequenceLogprobs[]> {
    const run = this.queue.then(() => this.logprobsNow(items, signal));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async logprobsNow(
    items: readonly FramedText[],
    signal?: AbortSignal,
  ): Promise<SequenceLogprobs[]> {
    if (this.closed) throw new CandorError(`${this.ref}: scorer is closed`);
    const results = new Array<SequenceLogprobs>(items.length);
    // One group per frame prefix; a worker takes a whole group so the frame is evaluated once.
    const groups = new Map<string, Job[]>();
    items.forEach((item, index) => {
      const { tokens, split } = this.encode(item);
      // node-llama-cpp keeps one cell free; more tokens would shift the context.
      if (tokens.length > this.contextSize - 1) {
        throw new CandorError(
          `${this.ref}: a framed text has ${tokens.length} tokens, more than the scorer context holds (${this.contextSize - 1}); raise the context size`,
        );
      }
      if (tokens.length - Math.max(1, split) < 1) {
        throw new CandorError(`${this.ref}: a framed text has no tokens after its frame`);
      }
      let g = groups.get(item.prefix);
      if (!g) {
        g = [];
        groups.set(item.prefix, g);
      }
      g.push({ index, tokens, split });
    });
    const queue = [...groups.values()];
    let failed = false;
    const run = async (w: Worker): Promise<void> => {
      try {
        for (let group = queue.shift(); group && !failed; group = queue.shift()) {
          for (const job of group) {
            if (failed) return;
            if (signal?.aborted) throw new CandorError(`${this.ref}: scoring cancelled`);
            results[job.index] = await this.evaluate(w, job);
          }
        }
      } catch (err) {
        failed = true;
        throw err;
      }
    };
    // Every worker has stopped before this returns or throws: a context is never used by two
    // calls at once.
    const settled = await Promise.allSettled(this.workers.map(run));
    for (const s of settled) if (s.status === "rejected") throw s.reason;
    return results;
  }

  private logOf(
    out: Awaited<ReturnType<LlamaContextSequence["controlledEvaluate"]>>[number],
    next: Token,
  ): number {
    const p = out?.next.probabilities?.get(next);
    if (p === undefined) {
      throw new CandorError(`${this.ref}: the engine returned no probability for a token`);
    }
    const lp = Math.log(p);
    if (lp >= FLOAT32_MIN_LOG) return lp;
    this.underflows++;
    return FLOAT32_MIN_LOG;
  }

  /**
   * Evaluates tokens[0..k−1] (k = split − 1, the frame without its last token) alone, then
   * tokens[k..] on top, the frame part coming from the cache when it is already there.
   */
  private async evaluate(w: Worker, job: Job): Promise<SequenceLogprobs> {
    const { tokens, split } = job;
    const seq = w.sequence;
    const k = Math.max(0, split - 1);
    try {
      let prefixLps: number[];
      const cached =
        this.reusePrefix &&
        w.cachedPrefix !== undefined &&
        w.cachedPrefix.length === k &&
        samePrefix(w.cachedPrefix, tokens, k);
      if (cached) {
        if (seq.nextTokenIndex > k)
          await seq.eraseContextTokenRanges([{ start: k, end: seq.nextTokenIndex }]);
        prefixLps = w.cachedPrefixLogprobs;
      } else {
        w.cachedPrefix = undefined;
        if (seq.nextTokenIndex > 0) await seq.clearHistory();
        const head = tokens.slice(0, k);
        // Probabilities at every head position: they predict tokens 1..k (all in the frame).
        if (head.length > 0) {
          const out = await seq.controlledEvaluate(head.map(withProbabilities));
          prefixLps = head.map((_, j) => this.logOf(out[j], tokens[j + 1]!));
        } else prefixLps = [];
        w.cachedPrefix = head;
        w.cachedPrefixLogprobs = prefixLps;
      }
      const tail = tokens.slice(k);
      const out = await seq.controlledEvaluate(
        tail.map((t, j) => (j < tail.length - 1 ? withProbabilities(t) : t)),
      );
      const tailLps = tail.slice(1).map((t, j) => this.logOf(out[j], t));
      // All predicted tokens 1..n−1: prefixLps covers 1..k, tailLps covers k+1..n−1.
      const all = [...prefixLps, ...tailLps];
      const firstContinuation = Math.max(1, split);
      return {
        prefix: all.slice(0, firstContinuation - 1),
        continuation: all.slice(firstContinuation - 1),
      };
    } catch (err) {
      w.cachedPrefix = undefined;
      await seq.clearHistory().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    for (const w of this.workers) await w.context.dispose();
    await this.model.dispose();
  }
}
