/**
 * SocioT warmth in two named forms (docs/warmth.md says exactly what each scores):
 *
 * - `reference`: the authors' computation. For each frame set, the mean per-token
 *   log-likelihood over all predicted tokens of the four framed sequences (frame and text
 *   alike, pooled over the set, as a Hugging Face LM loss over the batch); SocioT = warm − cold.
 *   candor runs one deterministic pass without padding (no dropout, no padded positions).
 * - `strict`: log P₊(s) − log P₋(s), where P±(s) is a uniform mixture over the frames of a set
 *   of the probability of the continuation s (text + closing quote) given the frame prefix:
 *   log P±(s) = logsumexp_f log p(s | frame f) − log |set|.
 *
 * Higher is warmer in both. Log-probabilities come from a `LogprobBackend`.
 */
import { CandorError } from "../errors.js";
import { type FramedText, frameText } from "./frames.js";

/** Per-token log-probabilities of one framed sequence, split at the frame boundary. */
export interface SequenceLogprobs {
  /**
   * Log-probabilities of the predicted tokens that lie wholly inside the frame prefix (the
   * first token of a sequence is not predicted unless the model prepends a BOS token).
   */
  prefix: number[];
  /** Log-probabilities of the remaining tokens: the text and the closing quote. */
  continuation: number[];
}

/** Something that returns token log-probabilities of given texts (no sampling). */
export interface LogprobBackend {
  /** Identity of the scorer model for the store, e.g. `llama:hf:QuantFactory/gpt2-GGUF:Q8_0`. */
  readonly ref: string;
  logprobs(items: readonly FramedText[], signal?: AbortSignal): Promise<SequenceLogprobs[]>;
  close(): Promise<void>;
}

/** Bump when what a SocioT score means changes: scores of different versions are different scorers. */
export const SOCIOT_VERSION = "v1";

/** The scorer id stored with SocioT metrics: scorer model + SocioT version. */
export function sociotScorerId(backendRef: string): string {
  return `${backendRef}#sociot-${SOCIOT_VERSION}`;
}

export interface FrameDetail {
  prefix: string;
  /** Sum of the continuation's token log-probabilities: log p(s | frame). */
  textLogLik: number;
  textTokens: number;
  /** Sum over every predicted token of the framed sequence. */
  allLogLik: number;
  allTokens: number;
}

export interface SocioTScore {
  /** Reference form (authors' computation without dropout or padding). Higher = warmer. */
  reference: number;
  /** Strict form: log P₊(s) − log P₋(s). Higher = warmer. */
  strict: number;
  warm: FrameDetail[];
  cold: FrameDetail[];
}

/** log Σ exp(x), stable. */
export function logSumExp(xs: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > max) max = x;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - max);
  return max + Math.log(sum);
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function frameDetail(prefix: string, lp: SequenceLogprobs): FrameDetail {
  return {
    prefix,
    textLogLik: sum(lp.continuation),
    textTokens: lp.continuation.length,
    allLogLik: sum(lp.prefix) + sum(lp.continuation),
    allTokens: lp.prefix.length + lp.continuation.length,
  };
}

/** Mean per-token log-likelihood pooled over a frame set (the negated LM loss of the batch). */
export function referenceSetScore(set: readonly FrameDetail[]): number {
  let ll = 0;
  let n = 0;
  for (const f of set) {
    ll += f.allLogLik;
    n += f.allTokens;
  }
  if (n === 0) throw new CandorError("SocioT: a frame set has no predicted tokens");
  return ll / n;
}

/** log of the uniform frame mixture's probability of the continuation. */
export function strictSetScore(set: readonly FrameDetail[]): number {
  if (set.length === 0) throw new CandorError("SocioT: empty frame set");
  return logSumExp(set.map((f) => f.textLogLik)) - Math.log(set.length);
}

/** Both forms from the per-token log-probabilities of the warm and cold framed sequences. */
export function sociotFromLogprobs(
  warm: readonly { prefix: string; logprobs: SequenceLogprobs }[],
  cold: readonly { prefix: string; logprobs: SequenceLogprobs }[],
): SocioTScore {
  const w = warm.map((f) => frameDetail(f.prefix, f.logprobs));
  const c = cold.map((f) => frameDetail(f.prefix, f.logprobs));
  return {
    reference: referenceSetScore(w) - referenceSetScore(c),
    strict: strictSetScore(w) - strictSetScore(c),
    warm: w,
    cold: c,
  };
}

/**
 * SocioT of each text (both forms). Every text's eight framed sequences go to the backend in
 * one call, so a batching backend evaluates several texts at once. Texts must be non-empty.
 */
export async function scoreSocioT(
  texts: readonly string[],
  backend: LogprobBackend,
  signal?: AbortSignal,
): Promise<SocioTScore[]> {
  const framed = texts.map((t, i) => {
    if (typeof t !== "string" || t.trim().length === 0) {
      throw new CandorError(`SocioT: text ${i + 1} is empty; expected a non-empty string`);
    }
    return frameText(t);
  });
  const items: FramedText[] = [];
  for (const f of framed) items.push(...f.warm, ...f.cold);
  const lps = await backend.logprobs(items, signal);
  if (lps.length !== items.length) {
    throw new CandorError(
      `SocioT: ${backend.ref} returned ${lps.length} results for ${items.length} sequences`,
    );
  }
  return framed.map((f, i) => {
    const base = i * (f.warm.length + f.cold.length);
    const warm = f.warm.map((x, j) => ({ prefix: x.prefix, logprobs: lps[base + j]! }));
    const cold = f.cold.map((x, j) => ({
      prefix: x.prefix,
      logprobs: lps[base + f.warm.length + j]!,
    }));
    return sociotFromLogprobs(warm, cold);
  });
}

/**
 * A plain `(texts) => scores` function over one SocioT form (e.g. for the tuning module's
 * warmth trajectory). Texts are scored in chunks of `chunk` per backend call.
 */
export function sociotScorer(
  backend: LogprobBackend,
  form: "reference" | "strict" = "reference",
  chunk = 16,
): (texts: string[]) => Promise<number[]> {
  return async (texts) => {
    const out: number[] = [];
    for (let i = 0; i < texts.length; i += chunk) {
      for (const s of await scoreSocioT(texts.slice(i, i + chunk), backend)) out.push(s[form]);
    }
    return out;
  };
}
