import type { GenerateRequest, GenerateResult } from "../providers/types.js";

/** One request's outcome in a finished batch. */
export type BatchOutcome =
  | { customId: string; ok: true; result: GenerateResult }
  | { customId: string; ok: false; message: string; retryable: boolean };

export type BatchState = "running" | "ended" | "expired" | "cancelled" | "failed";

export interface BatchStatus {
  state: BatchState;
  /** Requests finished so far (succeeded + errored), when the provider says. */
  done?: number;
  total?: number;
  /** Why a batch failed as a whole (validation error…). */
  message?: string;
}

/** What the store recorded of a batch whose provider id never came back. */
export interface LostBatch {
  /** When it was recorded, just before it was submitted (ISO 8601). */
  createdAt: string;
  requests: number;
  /** Provider ids the store already knows (other batches): never candidates. */
  isKnown(remoteId: string): boolean;
}

export type FoundBatch = { remoteId: string } | { candidates: string[] };

/**
 * A provider's Batch API behind one shape: a request becomes one serialized line, lines are
 * submitted as one batch, a batch is polled, and a finished batch yields outcomes by custom_id
 * (in whatever order the provider wrote them; requests without an outcome are retried).
 */
export interface BatchBackend {
  readonly limits: { maxRequests: number; maxBytes: number };
  /** The request as the provider's batch line (JSON, no newline). */
  line(customId: string, req: GenerateRequest): string;
  submit(lines: readonly string[], localId: string, signal: AbortSignal): Promise<string>;
  /** Submits a JSONL file of lines, read from disk (a round never holds its lines in memory). */
  submitFile(path: string, localId: string, signal: AbortSignal): Promise<string>;
  /**
   * A batch this run submitted under `localId` but never learned the id of (killed between
   * submit and recording it). `{ remoteId }`: the provider keeps our tag, so this is ours
   * (OpenAI metadata). `{ candidates }`: the provider keeps no tag (Anthropic); these batches
   * match what was recorded (created after it, same request count) and are ours only if their
   * results' custom_ids are exactly this batch's, which the round checks before writing any.
   */
  findSubmitted(
    localId: string,
    recorded: LostBatch,
    signal: AbortSignal,
  ): Promise<FoundBatch | undefined>;
  status(remoteId: string, signal: AbortSignal): Promise<BatchStatus>;
  results(remoteId: string, signal: AbortSignal): AsyncIterable<BatchOutcome>;
}

/** Splits a web stream of bytes into lines, without holding the whole file in memory. */
export async function* streamLines(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<string> {
  if (!body) return;
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.decode(chunk, { stream: true });
    // One pass over the chunk; only its unfinished last line is carried over.
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const line = text.slice(start, nl).trim();
      if (line.length > 0) yield line;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim().length > 0) yield rest.trim();
}
