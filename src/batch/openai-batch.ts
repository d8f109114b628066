/**
 * OpenAI's Batch API (files + batches) through the official SDK, loaded on first use: a run
 * that batches only on Anthropic never loads it.
 */
import { createReadStream } from "node:fs";
import type OpenAI from "openai";
import { type CallContext, mapProviderError } from "../providers/call-errors.js";
import { redactRef, resolveApiKey } from "../providers/credentials.js";
import { PLACEHOLDER_API_KEY } from "../providers/openai.js";
import { loadOpenAISdk, type OpenAISdk as Sdk } from "../providers/sdk.js";
import type { GenerateRequest, ProviderOptions } from "../providers/types.js";
import type { BatchBackend, BatchOutcome, BatchStatus, FoundBatch, LostBatch } from "./backend.js";
import { streamLines } from "./backend.js";
import { CHAT_URL, chatBody, parseResultLine, requestLine } from "./openai-lines.js";
import { uploadFetch } from "./upload-fetch.js";

/** https://platform.openai.com/docs/guides/batch: 50,000 requests and 200 MB per input file. */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };
/** How many of the account's newest batches are searched for one this run submitted. */
const FIND_WINDOW = 1_000;

export class OpenAIBatchBackend implements BatchBackend {
  readonly limits = OPENAI_BATCH_LIMITS;
  private readonly ctx: CallContext;
  private readonly options: ConstructorParameters<Sdk["default"]>[0];
  private loaded: Promise<{ sdk: Sdk; client: OpenAI }> | undefined;

  constructor(
    private readonly target: {
      scheme: "openai" | "openai-compatible";
      model: string;
      baseURL?: string;
      ref: string;
    },
    opts: ProviderOptions,
  ) {
    const compatible = target.scheme === "openai-compatible";
    const { key, source } = resolveApiKey(opts, "OPENAI_API_KEY", !compatible);
    this.ctx = { ref: redactRef(target.ref), keySource: source, secrets: key ? [key] : [] };
    const baseURL = compatible ? (target.baseURL ?? opts.baseURL) : opts.baseURL;
    this.options = {
      apiKey: key ?? PLACEHOLDER_API_KEY,
      ...(baseURL !== undefined ? { baseURL } : {}),
      maxRetries: 0,
      // Not the lean httpFetch, which buffers bodies: uploads and result files are streamed.
      fetch: uploadFetch,
      ...(compatible ? { organization: null, project: null } : {}),
    };
  }

  private sdkClient(): Promise<{ sdk: Sdk; client: OpenAI }> {
    this.loaded ??= loadOpenAISdk().then((sdk) => ({
      sdk,
      client: new sdk.default(this.options),
    }));
    return this.loaded;
  }

  line(customId: string, req: GenerateRequest): string {
    return requestLine(customId, chatBody(this.target.model, req, this.target.scheme === "openai"));
  }

  private async sdk<T>(
    signal: AbortSignal,
    fn: (client: OpenAI, sdk: Sdk) => Promise<T>,
  ): Promise<T> {
    const { sdk, client } = await this.sdkClient();
    try {
      return await fn(client, sdk);
    } catch (err) {
      throw mapProviderError(err, sdk, this.ctx, signal);
    }
  }

  async submit(lines: readonly string[], localId: string, signal: AbortSignal): Promise<string> {
    const file = await this.sdk(signal, async (client, sdk) =>
      client.files.create(
        {
          // One UTF-8 part per line: no single string of the whole file (up to 200 MB) in the heap.
          file: await sdk.toFile(
            new File(
              lines.map((l) => `${l}\n`),
              `candor-${localId}.jsonl`,
              { type: "application/jsonl" },
            ),
          ),
          purpose: "batch",
        },
        { signal },
      ),
    );
    return this.createBatch(file.id, localId, signal);
  }

  async submitFile(path: string, localId: string, signal: AbortSignal): Promise<string> {
    const file = await this.sdk(signal, (client, sdk) =>
      client.files.create(
        {
          // Streamed from disk as multipart (sent by uploadFetch): a 200 MB batch file never
          // sits in memory.
          file: sdk.toStreamingFile(createReadStream(path), `candor-${localId}.jsonl`, {
            type: "application/jsonl",
          }),
          purpose: "batch",
        },
        { signal },
      ),
    );
    return this.createBatch(file.id, localId, signal);
  }

  /** The batch carries its local id as metadata: the tag `findSubmitted` looks for. */
  private async createBatch(fileId: string, localId: string, signal: AbortSignal): Promise<string> {
    const batch = await this.sdk(signal, (client) =>
      client.batches.create(
        {
          input_file_id: fileId,
          endpoint: CHAT_URL,
          completion_window: "24h",
          metadata: { candor_batch: localId },
        },
        { signal },
      ),
    );
    return batch.id;
  }

  async findSubmitted(
    localId: string,
    _recorded: LostBatch,
    signal: AbortSignal,
  ): Promise<FoundBatch | undefined> {
    return this.sdk(signal, async (client) => {
      // Newest first: a batch lost to a kill a moment after submission is among the first.
      let seen = 0;
      for await (const b of client.batches.list({ limit: 100 }, { signal })) {
        if (b.metadata?.candor_batch === localId) return { remoteId: b.id };
        if (++seen >= FIND_WINDOW) break;
      }
      return undefined;
    });
  }

  async status(remoteId: string, signal: AbortSignal): Promise<BatchStatus> {
    const b = await this.sdk(signal, (client) => client.batches.retrieve(remoteId, { signal }));
    const counts = b.request_counts;
    const progress = counts ? { done: counts.completed + counts.failed, total: counts.total } : {};
    switch (b.status) {
      case "completed":
        return { state: "ended", ...progress };
      case "expired":
        return { state: "expired", ...progress };
      case "cancelled":
        return { state: "cancelled", ...progress };
      case "failed": {
        const why = b.errors?.data?.map((e) => e.message).join("; ");
        return { state: "failed", ...progress, ...(why && { message: why }) };
      }
      default:
        return { state: "running", ...progress };
    }
  }

  async *results(remoteId: string, signal: AbortSignal): AsyncIterable<BatchOutcome> {
    const b = await this.sdk(signal, (client) => client.batches.retrieve(remoteId, { signal }));
    // Successes land in the output file, per-request errors in the error file; either may be absent.
    for (const fileId of [b.output_file_id, b.error_file_id]) {
      if (!fileId) continue;
      const res = await this.sdk(signal, (client) => client.files.content(fileId, { signal }));
      let n = 0;
      for await (const text of streamLines(res.body)) {
        n++;
        yield parseResultLine(text, `${this.ctx.ref} batch ${remoteId} file ${fileId} line ${n}`);
      }
    }
  }
}
