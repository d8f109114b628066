/**
 * Token log-probabilities from an OpenAI-compatible `/v1/completions` endpoint that returns
 * prompt log-probabilities (vLLM and others: `echo: true` with `logprobs`).
 *
 * One request per framed text: `{prompt, echo: true, logprobs: 1, max_tokens: 1,
 * temperature: 0}` (vLLM rejects max_tokens 0; the one generated token is dropped). The server
 * tokenizes; a token is assigned to the frame prefix when it ends at or before the prefix's
 * last character (by `text_offset`), else to the continuation — the same boundary rule as the
 * embedded engine. The first prompt token has no log-probability (null) and is not predicted.
 */
import { setMaxListeners } from "node:events";
import type OpenAI from "openai";
import { runQueue } from "../engine/run-queue.js";
import { CandorError, ProviderConfigError } from "../errors.js";
import { redactRef, resolveApiKey } from "../providers/credentials.js";
import { httpFetch } from "../providers/http-fetch.js";
import { parseModelRef } from "../providers/model-ref.js";
import { PLACEHOLDER_API_KEY } from "../providers/openai.js";
import { loadOpenAISdk } from "../providers/sdk.js";
import type { FramedText } from "./frames.js";
import type { LogprobBackend, SequenceLogprobs } from "./sociot.js";

export const COMPLETIONS_SCORER_DEFAULT_CONCURRENCY = 8;

export interface CompletionsLogprobOptions {
  /** Requests in flight (default 8). */
  concurrency?: number;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  /** SDK retries for 408/409/429/5xx and dropped connections (default 4). */
  maxRetries?: number;
  /** Environment variable holding the server's API key, when it wants one. */
  apiKeyEnv?: string;
  apiKey?: string;
}

interface PromptLogprobs {
  tokens?: string[] | null;
  token_logprobs?: (number | null)[] | null;
  text_offset?: number[] | null;
}

/** Splits a completion's echoed prompt log-probabilities at the frame boundary. */
export function splitPromptLogprobs(
  lp: PromptLogprobs | null | undefined,
  prefixChars: number,
  promptChars: number,
  where: string,
): SequenceLogprobs {
  const values = lp?.token_logprobs;
  const offsets = lp?.text_offset;
  if (!values || !offsets || values.length !== offsets.length || values.length === 0) {
    throw new CandorError(
      `${where}: the response has no prompt log-probabilities (choices[0].logprobs.token_logprobs and text_offset); the endpoint must support echo with logprobs on /v1/completions (vLLM does)`,
    );
  }
  const prefix: number[] = [];
  const continuation: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const start = offsets[i]!;
    if (start >= promptChars) break; // generated tokens
    const end = i + 1 < offsets.length ? Math.min(offsets[i + 1]!, promptChars) : promptChars;
    const v = values[i];
    if (v === null || v === undefined) continue; // the unpredicted first token
    if (!Number.isFinite(v)) {
      throw new CandorError(`${where}: token ${i} has a non-finite log-probability (${v})`);
    }
    if (end <= prefixChars) prefix.push(v);
    else continuation.push(v);
  }
  if (continuation.length === 0) {
    throw new CandorError(`${where}: no log-probabilities for the text after the frame`);
  }
  return { prefix, continuation };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export class CompletionsLogprobBackend implements LogprobBackend {
  readonly ref: string;
  private readonly clientOptions: ConstructorParameters<typeof OpenAI>[0];
  private client: Promise<OpenAI> | undefined;
  private readonly model: string;
  private readonly concurrency: number;
  private readonly secrets: string[];

  constructor(ref: string, opts: CompletionsLogprobOptions = {}) {
    const parsed = parseModelRef(ref);
    if (!parsed.ok) throw new ProviderConfigError(parsed.reason);
    if (parsed.ref.scheme !== "openai-compatible") {
      throw new ProviderConfigError(
        `SocioT scorer ${redactRef(ref)}: expected llama:<file.gguf>, llama:hf:<user>/<repo>:<quant> or openai-compatible:<base URL>#<model> (a completions endpoint that echoes prompt log-probabilities, e.g. vLLM)`,
      );
    }
    this.ref = redactRef(ref.trim());
    this.model = parsed.ref.model;
    const { key } = resolveApiKey(
      {
        ...(opts.apiKey !== undefined && { apiKey: opts.apiKey }),
        ...(opts.apiKeyEnv !== undefined && { apiKeyEnv: opts.apiKeyEnv }),
      },
      "OPENAI_API_KEY",
      false,
    );
    this.secrets = key ? [key] : [];
    this.concurrency = Math.max(1, opts.concurrency ?? COMPLETIONS_SCORER_DEFAULT_CONCURRENCY);
    this.clientOptions = {
      apiKey: key ?? PLACEHOLDER_API_KEY,
      baseURL: parsed.ref.baseURL,
      maxRetries: opts.maxRetries ?? 4,
      timeout: opts.timeoutMs ?? 120_000,
      fetch: httpFetch,
      organization: null,
      project: null,
    };
  }

  /** The SDK client, built on the first request (the SDK loads lazily: see providers/sdk.ts). */
  private sdkClient(): Promise<OpenAI> {
    this.client ??= loadOpenAISdk().then((sdk) => new sdk.default(this.clientOptions));
    return this.client;
  }

  private scrub(message: string): string {
    let out = message;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join("***");
    return out;
  }

  private async one(item: FramedText, signal: AbortSignal): Promise<SequenceLogprobs> {
    const prompt = item.prefix + item.continuation;
    let res: OpenAI.Completions.Completion;
    try {
      const client = await this.sdkClient();
      res = await client.completions.create(
        { model: this.model, prompt, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 },
        { signal },
      );
    } catch (err) {
      const { APIError } = await loadOpenAISdk();
      const status = err instanceof APIError && err.status ? ` (HTTP ${err.status})` : "";
      const msg = err instanceof Error ? err.message : String(err);
      throw new CandorError(`${this.ref}: completions request failed${status}: ${this.scrub(msg)}`);
    }
    const choice = res.choices[0];
    if (!choice) throw new CandorError(`${this.ref}: the server returned no choices`);
    // Servers count offsets in characters (code points); the frames are ASCII.
    return splitPromptLogprobs(
      choice.logprobs as PromptLogprobs | null,
      codePoints(item.prefix),
      codePoints(prompt),
      this.ref,
    );
  }

  async logprobs(items: readonly FramedText[], signal?: AbortSignal): Promise<SequenceLogprobs[]> {
    const results = new Array<SequenceLogprobs>(items.length);
    // One listener on the caller's signal; the SDK adds its own (per request) to this one.
    const local = new AbortController();
    setMaxListeners(0, local.signal);
    const onAbort = () => local.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await runQueue(
        items.map((item, index) => ({ item, index })),
        this.concurrency,
        async ({ item, index }) => {
          results[index] = await this.one(item, local.signal);
        },
        local.signal,
      );
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (local.signal.aborted) throw new CandorError(`${this.ref}: scoring cancelled`);
    return results;
  }

  async close(): Promise<void> {
    // The keep-alive agents are shared process-wide.
  }
}
