/**
 * Opening a SocioT scorer from a model reference:
 * - `llama:./gpt2.gguf`, `llama:hf:<user>/<repo>:<quant>` → the embedded engine;
 * - `openai-compatible:<base URL>#<model>` → a completions endpoint with prompt log-probs.
 */
import { ProviderConfigError } from "../errors.js";
import { parseModelRef } from "../providers/model-ref.js";
import {
  CompletionsLogprobBackend,
  type CompletionsLogprobOptions,
} from "./completions-logprobs.js";
import { LlamaLogprobBackend, type LlamaLogprobOptions } from "./llama-logprobs.js";
import type { LogprobBackend } from "./sociot.js";

/**
 * GPT-2 small (124M, the study's SocioT model) in GGUF form, Q8_0 (near-lossless), downloaded
 * on first use into the model cache. Override with any llama: or openai-compatible: reference.
 */
export const DEFAULT_SOCIOT_MODEL = "llama:hf:QuantFactory/gpt2-GGUF:Q8_0";

export interface LogprobBackendOptions {
  llama?: LlamaLogprobOptions;
  completions?: CompletionsLogprobOptions;
}

export async function openLogprobBackend(
  ref: string = DEFAULT_SOCIOT_MODEL,
  opts: LogprobBackendOptions = {},
): Promise<LogprobBackend> {
  const parsed = parseModelRef(ref);
  if (!parsed.ok) throw new ProviderConfigError(`SocioT scorer: ${parsed.reason}`);
  switch (parsed.ref.scheme) {
    case "llama-file":
    case "llama-hf":
      return LlamaLogprobBackend.open(ref, opts.llama);
    case "openai-compatible":
      return new CompletionsLogprobBackend(ref, opts.completions);
    default:
      throw new ProviderConfigError(
        `SocioT scorer ${ref}: needs token log-probabilities of a given text; use llama:<file.gguf>, llama:hf:<user>/<repo>:<quant> or openai-compatible:<base URL>#<model> (a /v1/completions endpoint with echo + logprobs, e.g. vLLM)`,
      );
  }
}
