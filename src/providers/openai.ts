/**
 * OpenAI and OpenAI-compatible chat completions through the official `openai` SDK.
 *
 * One SDK client per provider, `maxRetries: 0` (the engine retries), and the lean keep-alive
 * `httpFetch` instead of the global fetch (see http-fetch.ts for why).
 */
import type OpenAI from "openai";
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import { ProviderCallError } from "../errors.js";
import { abortedError, type CallContext, mapProviderError } from "./call-errors.js";
import { redactRef, resolveApiKey } from "./credentials.js";
import { boundedFetch } from "./http-fetch.js";
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  EmptyReply,
  expectReplyObject,
  findTooLarge,
  truncatedResult,
} from "./reply.js";
import { loadOpenAISdk } from "./sdk.js";
import type {
  GenerateRequest,
  GenerateResult,
  OutputSchema,
  Provider,
  ProviderOptions,
} from "./types.js";

export const OPENAI_DEFAULT_CONCURRENCY = 32;
/** Key sent to OpenAI-compatible servers that need none (local vLLM, llama.cpp server…). */
export const PLACEHOLDER_API_KEY = "not-needed";

export interface OpenAIProviderConfig {
  scheme: "openai" | "openai-compatible";
  model: string;
  /** For `openai-compatible`, the server's base URL (…/v1). */
  baseURL?: string;
  /** The reference string as the user wrote it (secrets are stripped before exposing it). */
  ref: string;
  /** Transport override (default: the keep-alive `httpFetch`); benchmarks compare against global fetch. */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

/** OpenAI's json_schema `name` must match ^[a-zA-Z0-9_-]{1,64}$. */
export function schemaName(name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return n.length > 0 ? n : "output";
}

export function responseFormat(
  s: OutputSchema,
): NonNullable<ChatCompletionCreateParamsNonStreaming["response_format"]> {
  if (s.mode === "json_object") return { type: "json_object" };
  return {
    type: "json_schema",
    json_schema: { name: schemaName(s.name), schema: s.schema, strict: true },
  };
}

export class OpenAIProvider implements Provider {
  readonly ref: string;
  readonly defaultConcurrency = OPENAI_DEFAULT_CONCURRENCY;
  private readonly clientOptions: ConstructorParameters<typeof OpenAI>[0];
  private client: Promise<OpenAI> | undefined;
  private readonly model: string;
  private readonly ctx: CallContext;
  /** OpenAI proper wants max_completion_tokens (reasoning models reject max_tokens). */
  private readonly useMaxCompletionTokens: boolean;

  constructor(config: OpenAIProviderConfig, opts: ProviderOptions) {
    this.ref = redactRef(config.ref);
    this.model = config.model;
    const compatible = config.scheme === "openai-compatible";
    // OpenAI-compatible servers get a key only when one is configured for them: the user's
    // OPENAI_API_KEY is not sent to third-party endpoints.
    const { key, source } = resolveApiKey(opts, "OPENAI_API_KEY", !compatible);
    this.ctx = {
      ref: this.ref,
      keySource: compatible && key === undefined ? "apiKeyEnv (the server wants a key)" : source,
      secrets: key ? [key] : [],
    };
    this.useMaxCompletionTokens = !compatible;
    // openai-compatible: the URL in the reference wins; opts.baseURL overrides OpenAI proper.
    const baseURL = compatible ? (config.baseURL ?? opts.baseURL) : opts.baseURL;
    this.clientOptions = {
      apiKey: key ?? PLACEHOLDER_API_KEY,
      ...(baseURL !== undefined ? { baseURL } : {}),
      maxRetries: 0,
      ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
      fetch: config.fetch ?? boundedFetch(opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
      // Keep org/project from the environment out of requests to other servers.
      ...(compatible ? { organization: null, project: null } : {}),
    };
  }

  /** The SDK client, built on the first call (the SDK loads lazily: see sdk.ts). */
  private sdkClient(): Promise<OpenAI> {
    this.client ??= loadOpenAISdk().then((sdk) => new sdk.default(this.clientOptions));
    return this.client;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const { params } = req;
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages: req.messages as ChatCompletionMessageParam[],
    };
    if (params.temperature !== undefined) body.temperature = params.temperature;
    if (params.topP !== undefined) body.top_p = params.topP;
    if (params.seed !== undefined) body.seed = params.seed;
    if (params.maxTokens !== undefined) {
      if (this.useMaxCompletionTokens) body.max_completion_tokens = params.maxTokens;
      else body.max_tokens = params.maxTokens;
    }
    if (req.outputSchema) body.response_format = responseFormat(req.outputSchema);
    const signal = req.signal;
    if (signal?.aborted) throw abortedError(this.ref, signal);

    let res: OpenAI.Chat.Completions.ChatCompletion;
    try {
      const client = await this.sdkClient();
      res = await client.chat.completions.create(body, signal ? { signal } : undefined);
    } catch (err) {
      const tooLarge = findTooLarge(err);
      if (tooLarge) return truncatedResult(tooLarge);
      throw await this.mapError(err, signal);
    }
    expectReplyObject(this.ref, res, "choices", "a chat completion");
    const choice = res.choices[0];
    if (!choice) {
      throw new ProviderCallError(`${this.ref}: the server returned no choices`, true);
    }
    const msg = choice.message;
    const refused = !msg.content && typeof msg.refusal === "string" && msg.refusal.length > 0;
    const out: GenerateResult = {
      text: refused ? (msg.refusal ?? "") : (msg.content ?? ""),
      finishReason: refused ? "refusal" : (choice.finish_reason ?? undefined),
    };
    if (res.usage) {
      out.promptTokens = res.usage.prompt_tokens;
      out.completionTokens = res.usage.completion_tokens;
    }
    if (res.model) out.servedModel = res.model;
    if (out.text.trim() === "") throw new EmptyReply(this.ref, out.finishReason);
    return out;
  }

  private async mapError(
    err: unknown,
    signal: AbortSignal | undefined,
  ): Promise<ProviderCallError> {
    return mapProviderError(err, await loadOpenAISdk(), this.ctx, signal);
  }

  async close(): Promise<void> {
    // The keep-alive agents are shared process-wide; nothing per provider to release.
  }
}
