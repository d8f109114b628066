/**
 * Anthropic Messages API through the official `@anthropic-ai/sdk`.
 *
 * System messages go to `system`; structured output is a single forced tool call whose
 * `input_schema` is the requested schema, and the tool input comes back as JSON text.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type {
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { ProviderCallError } from "../errors.js";
import { abortedError, type CallContext, mapProviderError } from "./call-errors.js";
import { resolveApiKey } from "./credentials.js";
import { boundedFetch } from "./http-fetch.js";
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  EmptyReply,
  expectReplyObject,
  findTooLarge,
  truncatedResult,
} from "./reply.js";
import { loadAnthropicSdk } from "./sdk.js";
import type { GenerateRequest, GenerateResult, Provider, ProviderOptions } from "./types.js";

export const ANTHROPIC_DEFAULT_CONCURRENCY = 8;
/** The Messages API requires max_tokens; used when the subject sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;
/**
 * SDK 1.x sends `anthropic-version: 2026-10-21`, under which any temperature/top_p is a 400
 * (and its types no longer have them). The study sets sampling parameters explicitly, so when a
 * subject does, the request pins the previous API version, which still accepts them on models
 * that support them; models that reject them answer 400 with the server's reason.
 */
export const ANTHROPIC_SAMPLING_API_VERSION = "2023-06-01";

type MessageBody = MessageCreateParamsNonStreaming & { temperature?: number; top_p?: number };

/** Tool names must match ^[a-zA-Z0-9_-]{1,64}$. */
function toolName(name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return n.length > 0 ? n : "output";
}

export class AnthropicProvider implements Provider {
  readonly ref: string;
  readonly defaultConcurrency = ANTHROPIC_DEFAULT_CONCURRENCY;
  private readonly clientOptions: ConstructorParameters<typeof Anthropic>[0];
  private client: Promise<Anthropic> | undefined;
  private readonly model: string;
  private readonly ctx: CallContext;

  constructor(model: string, ref: string, opts: ProviderOptions) {
    this.ref = ref;
    this.model = model;
    const { key, source } = resolveApiKey(opts, "ANTHROPIC_API_KEY", true);
    this.ctx = { ref, keySource: source, secrets: key ? [key] : [] };
    this.clientOptions = {
      apiKey: key ?? null,
      authToken: null,
      ...(opts.baseURL !== undefined ? { baseURL: opts.baseURL } : {}),
      maxRetries: 0,
      ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
      fetch: boundedFetch(opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
    };
  }

  /** The SDK client, built on the first call (the SDK loads lazily: see sdk.ts). */
  private sdkClient(): Promise<Anthropic> {
    this.client ??= loadAnthropicSdk().then((sdk) => new sdk.default(this.clientOptions));
    return this.client;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const system: string[] = [];
    const messages: MessageParam[] = [];
    for (const m of req.messages) {
      if (m.role === "system") system.push(m.content);
      else messages.push({ role: m.role, content: m.content });
    }
    const { params } = req;
    const body: MessageBody = {
      model: this.model,
      max_tokens: params.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages,
    };
    if (system.length > 0) body.system = system.join("\n\n");
    if (params.temperature !== undefined) body.temperature = params.temperature;
    if (params.topP !== undefined) body.top_p = params.topP;
    let tool: string | undefined;
    if (req.outputSchema) {
      tool = toolName(req.outputSchema.name);
      const inputSchema = { type: "object", ...req.outputSchema.schema } as Tool.InputSchema;
      body.tools = [
        {
          name: tool,
          description: "Record the answer in the required structure.",
          input_schema: inputSchema,
        },
      ];
      body.tool_choice = { type: "tool", name: tool };
    }
    const signal = req.signal;
    if (signal?.aborted) throw abortedError(this.ref, signal);

    let res: Anthropic.Message;
    try {
      const sampling = body.temperature !== undefined || body.top_p !== undefined;
      const options = {
        ...(signal ? { signal } : {}),
        ...(sampling ? { headers: { "anthropic-version": ANTHROPIC_SAMPLING_API_VERSION } } : {}),
      };
      const client = await this.sdkClient();
      res = await client.messages.create(body, options);
    } catch (err) {
      const tooLarge = findTooLarge(err);
      if (tooLarge) return truncatedResult(tooLarge);
      throw await this.mapError(err, signal);
    }
    expectReplyObject(this.ref, res, "content", "a Messages API reply");
    let text = "";
    if (tool !== undefined) {
      const use = res.content.find((b) => b.type === "tool_use" && b.name === tool);
      if (use?.type !== "tool_use") {
        throw new ProviderCallError(
          `${this.ref}: the model did not call the forced tool ${tool} (stop reason ${res.stop_reason})`,
          true,
        );
      }
      text = JSON.stringify(use.input);
    } else {
      for (const b of res.content) if (b.type === "text") text += b.text;
    }
    const out: GenerateResult = {
      text,
      promptTokens: res.usage.input_tokens,
      completionTokens: res.usage.output_tokens,
      servedModel: res.model,
    };
    if (res.stop_reason) out.finishReason = res.stop_reason;
    if (text.trim() === "") throw new EmptyReply(this.ref, out.finishReason);
    return out;
  }

  private async mapError(
    err: unknown,
    signal: AbortSignal | undefined,
  ): Promise<ProviderCallError> {
    return mapProviderError(err, await loadAnthropicSdk(), this.ctx, signal);
  }

  async close(): Promise<void> {}
}
