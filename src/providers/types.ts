import type { ChatMessage, GenerationParams } from "../types.js";
import type { ModelProvenance } from "./model-provenance.js";

/** A JSON Schema the provider should constrain its output to (structured output). */
export interface OutputSchema {
  name: string;
  schema: Record<string, unknown>;
  /**
   * OpenAI-compatible endpoints: `json_object` asks only for some JSON object (for servers that
   * reject json_schema); the schema then lives in the prompt. Default json_schema. Other
   * backends always constrain to the schema (forced tool, grammar).
   */
  mode?: "json_schema" | "json_object";
}

export interface GenerateRequest {
  messages: ChatMessage[];
  params: GenerationParams;
  /** When set, ask for JSON matching this schema (response_format / grammar / tool). */
  outputSchema?: OutputSchema;
  /** Aborts the in-flight call (timeout or Ctrl+C). */
  signal?: AbortSignal;
}

export interface GenerateResult {
  text: string;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Model id reported by the server, when any. */
  servedModel?: string;
}

/**
 * One model client. Providers do not retry: they throw ProviderCallError with
 * `retryable` set, and the engine decides about backoff.
 */
export interface Provider {
  /** The model reference string this provider serves (never contains secrets). */
  readonly ref: string;
  /** Sensible default number of in-flight requests for this backend. */
  readonly defaultConcurrency: number;
  /** For local model files: which bytes were loaded (sha256, hub commit), for the run record. */
  readonly provenance?: ModelProvenance;
  generate(req: GenerateRequest): Promise<GenerateResult>;
  close(): Promise<void>;
}

/** Options shared by provider factories (from config and environment). */
export interface ProviderOptions {
  /** API key; when absent, read from the provider's usual env var. Never persisted. */
  apiKey?: string;
  /** Name of an env var holding the key (config may name the variable instead of the value). */
  apiKeyEnv?: string;
  /** Overrides the base URL for OpenAI/Anthropic. */
  baseURL?: string;
  /** Per-request timeout in ms (enforced by the engine via `signal`; providers may also pass it on). */
  timeoutMs?: number;
  /** Largest reply read from an HTTP provider (bytes); the embedded engine's max tokens follow it. */
  maxResponseBytes?: number;
  /** Where `llama:hf:` downloads are cached (default: user cache dir). */
  cacheDir?: string;
  /** Progress callback for downloads. */
  onDownloadProgress?: (p: { file: string; done: number; total?: number }) => void;
  /** llama.cpp: context size, threads, gpu layers… */
  llama?: {
    contextSize?: number;
    threads?: number;
    gpuLayers?: number | "auto";
    sequences?: number;
    /** Measure (once per model and machine) the threads and sequences not set (default true). */
    calibrate?: boolean;
    /** Tokens each sequence samples per calibration point (default 8). */
    calibrationTokens?: number;
  };
}
