/**
 * Anthropic's Message Batches API through the official SDK, loaded on first use: a run that
 * batches only on OpenAI never loads it.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type Anthropic from "@anthropic-ai/sdk";
import type { BatchCreateParams, MessageBatch } from "@anthropic-ai/sdk/resources/messages/batches";
import type { Message } from "@anthropic-ai/sdk/resources/messages/messages";
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_SAMPLING_API_VERSION,
} from "../providers/anthropic.js";
import { type CallContext, mapProviderError } from "../providers/call-errors.js";
import { resolveApiKey } from "../providers/credentials.js";
import { loadAnthropicSdk, type AnthropicSdk as Sdk } from "../providers/sdk.js";
import type { GenerateRequest, GenerateResult, ProviderOptions } from "../providers/types.js";
import type { BatchBackend, BatchOutcome, BatchStatus, FoundBatch, LostBatch } from "./backend.js";
import { uploadFetch } from "./upload-fetch.js";

/** https://docs.anthropic.com/en/docs/build-with-claude/batch-processing: 100,000 requests / 256 MB. */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };
/** How far the provider's clock may be behind ours when a lost batch is looked for. */
const CLOCK_SKEW_MS = 10 * 60_000;
/** How many of the workspace's newest batches are looked at. */
const FIND_WINDOW = 1_000;
/** Error types worth another attempt; the rest (invalid request, auth…) would fail again. */
const RETRYABLE = new Set(["api_error", "overloaded_error", "rate_limit_error", "timeout_error"]);

/** Same reason as the live provider: explicit sampling parameters need the older API version. */
function hasSampling(r: BatchCreateParams.Request): boolean {
  const params = r.params as { temperature?: number; top_p?: number };
  return params.temperature !== undefined || params.top_p !== undefined;
}

function toolName(name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return n.length > 0 ? n : "output";
}

/** The Messages body the live Anthropic provider sends (system split out, schema as forced tool). */
export function messageBody(model: string, req: GenerateRequest): Record<string, unknown> {
  const system: string[] = [];
  const messages: { role: string; content: string }[] = [];
  for (const m of req.messages) {
    if (m.role === "system") system.push(m.content);
    else messages.push({ role: m.role, content: m.content });
  }
  const { params } = req;
  const body: Record<string, unknown> = {
    model,
    max_tokens: params.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length > 0) body.system = system.join("\n\n");
  if (params.temperature !== undefined) body.temperature = params.temperature;
  if (params.topP !== undefined) body.top_p = params.topP;
  if (req.outputSchema) {
    const name = toolName(req.outputSchema.name);
    body.tools = [
      {
        name,
        description: "Record the answer in the required structure.",
        input_schema: { type: "object", ...req.outputSchema.schema },
      },
    ];
    body.tool_choice = { type: "tool", name };
  }
  return body;
}

function messageResult(msg: Message): GenerateResult {
  const use = msg.content.find((b) => b.type === "tool_use");
  let text = "";
  if (use?.type === "tool_use") text = JSON.stringify(use.input);
  else for (const b of msg.content) if (b.type === "text") text += b.text;
  return {
    text,
    promptTokens: msg.usage.input_tokens,
    completionTokens: msg.usage.output_tokens,
    servedModel: msg.model,
    ...(msg.stop_reason && { finishReason: msg.stop_reason }),
  };
}

export class AnthropicBatchBackend implements BatchBackend {
  readonly limits = ANTHROPIC_BATCH_LIMITS;
  private readonly ctx: CallContext;
  private readonly options: ConstructorParameters<Sdk["default"]>[0];
  private loaded: Promise<{ sdk: Sdk; client: Anthropic }> | undefined;

  constructor(
    private readonly model: string,
    ref: string,
    opts: ProviderOptions,
  ) {
    const { key, source } = resolveApiKey(opts, "ANTHROPIC_API_KEY", true);
    this.ctx = { ref, keySource: source, secrets: key ? [key] : [] };
    this.options = {
      apiKey: key ?? null,
      authToken: null,
      ...(opts.baseURL !== undefined ? { baseURL: opts.baseURL } : {}),
      maxRetries: 0,
      // Not the lean httpFetch, which buffers bodies: batch bodies and results are streamed.
      fetch: uploadFetch,
    };
  }

  private sdkClient(): Promise<{ sdk: Sdk; client: Anthropic }> {
    this.loaded ??= loadAnthropicSdk().then((sdk) => ({
      sdk,
      client: new sdk.default(this.options),
    }));
    return this.loaded;
  }

  line(customId: string, req: GenerateRequest): string {
    return JSON.stringify({ custom_id: customId, params: messageBody(this.model, req) });
  }

  private async sdk<T>(signal: AbortSignal, fn: (client: Anthropic) => Promise<T>): Promise<T> {
    const { sdk, client } = await this.sdkClient();
    try {
      return await fn(client);
    } catch (err) {
      throw mapProviderError(err, sdk, this.ctx, signal);
    }
  }

  /**
   * The Messages Batches API takes one JSON body (up to 256 MB): `{"requests": [...]}` is
   * streamed from the file's lines (sent by uploadFetch), never built in memory. A first pass
   * reads whether any request sets temperature or top_p, which picks the API version header.
   */
  async submitFile(path: string, _localId: string, signal: AbortSignal): Promise<string> {
    const lines = () => createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    let sampling = false;
    for await (const l of lines()) {
      if (l.trim() !== "" && hasSampling(JSON.parse(l) as BatchCreateParams.Request)) {
        sampling = true;
        break;
      }
    }
    async function* body(): AsyncGenerator<Buffer> {
      let first = true;
      yield Buffer.from('{"requests":[');
      for await (const l of lines()) {
        if (l.trim() === "") continue;
        yield Buffer.from(first ? l : `,${l}`);
        first = false;
      }
      yield Buffer.from("]}");
    }
    const batch = await this.sdk(signal, (client) =>
      client.post<MessageBatch>("/v1/messages/batches", {
        body: body(),
        signal,
        headers: {
          "content-type": "application/json",
          ...(sampling && { "anthropic-version": ANTHROPIC_SAMPLING_API_VERSION }),
        },
      }),
    );
    return batch.id;
  }

  /**
   * Anthropic batches carry no metadata and a running batch does not show its custom_ids: the
   * candidates are the batches created since the lost one was recorded (less CLOCK_SKEW_MS, our
   * clock against theirs) with its request count, newest first; the round adopts one only once
   * its results prove it (round.ts).
   */
  async findSubmitted(
    _localId: string,
    recorded: LostBatch,
    signal: AbortSignal,
  ): Promise<FoundBatch | undefined> {
    const since = Date.parse(recorded.createdAt) - CLOCK_SKEW_MS;
    return this.sdk(signal, async (client) => {
      const candidates: string[] = [];
      let seen = 0;
      for await (const b of client.messages.batches.list({ limit: 100 }, { signal })) {
        // Newest first: past the window, every further batch is older still.
        if (Date.parse(b.created_at) < since || ++seen > FIND_WINDOW) break;
        const c = b.request_counts;
        const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
        if (total === recorded.requests && !recorded.isKnown(b.id)) candidates.push(b.id);
      }
      return candidates.length > 0 ? { candidates } : undefined;
    });
  }

  async submit(lines: readonly string[], _localId: string, signal: AbortSignal): Promise<string> {
    const requests = lines.map((l) => JSON.parse(l) as BatchCreateParams.Request);
    const sampling = requests.some(hasSampling);
    const batch = await this.sdk(signal, (client) =>
      client.messages.batches.create(
        { requests },
        {
          signal,
          ...(sampling && { headers: { "anthropic-version": ANTHROPIC_SAMPLING_API_VERSION } }),
        },
      ),
    );
    return batch.id;
  }

  async status(remoteId: string, signal: AbortSignal): Promise<BatchStatus> {
    const b = await this.sdk(signal, (client) =>
      client.messages.batches.retrieve(remoteId, {}, { signal }),
    );
    const c = b.request_counts;
    const done = c.succeeded + c.errored + c.canceled + c.expired;
    const total = done + c.processing;
    // Anthropic ends every batch the same way; expired/canceled requests show up per result.
    return { state: b.processing_status === "ended" ? "ended" : "running", done, total };
  }

  async *results(remoteId: string, signal: AbortSignal): AsyncIterable<BatchOutcome> {
    const stream = await this.sdk(signal, (client) =>
      client.messages.batches.results(remoteId, {}, { signal }),
    );
    for await (const r of stream) {
      const res = r.result;
      if (res.type === "succeeded") {
        yield { customId: r.custom_id, ok: true, result: messageResult(res.message) };
      } else if (res.type === "errored") {
        const e = res.error.error;
        yield {
          customId: r.custom_id,
          ok: false,
          message: `${e.type}: ${e.message}`,
          retryable: RETRYABLE.has(e.type),
        };
      } else {
        yield { customId: r.custom_id, ok: false, message: `request ${res.type}`, retryable: true };
      }
    }
  }
}
