/**
 * Model clients behind one interface. `createProvider("openai:gpt-4o-…", opts)` parses the
 * reference and returns a ready Provider (llama models are loaded, hf models downloaded).
 */
import { ProviderConfigError } from "../errors.js";
import { resolveHfModel } from "./hf-download.js";
import { LlamaProvider } from "./llama.js";
import { parseModelRef } from "./model-ref.js";
import { OpenAIProvider } from "./openai.js";
import type { Provider, ProviderOptions } from "./types.js";

export type { AnthropicProvider } from "./anthropic.js";
export { abortedError, parseRetryAfter } from "./call-errors.js";
export { redactRef } from "./credentials.js";
export { defaultModelCacheDir, resolveHfModel } from "./hf-download.js";
export { httpFetch } from "./http-fetch.js";
export { defaultThreads, getSharedLlama, LlamaProvider } from "./llama.js";
export * from "./model-ref.js";
export { OpenAIProvider } from "./openai.js";
export type * from "./types.js";

/** Creates the provider for a model reference. Throws ProviderConfigError for bad refs/setup. */
export async function createProvider(ref: string, opts: ProviderOptions = {}): Promise<Provider> {
  const parsed = parseModelRef(ref);
  if (!parsed.ok) throw new ProviderConfigError(parsed.reason);
  const r = parsed.ref;
  const refText = ref.trim();
  switch (r.scheme) {
    case "openai":
      return new OpenAIProvider({ scheme: "openai", model: r.model, ref: refText }, opts);
    case "openai-compatible":
      return new OpenAIProvider(
        { scheme: "openai-compatible", model: r.model, baseURL: r.baseURL, ref: refText },
        opts,
      );
    case "anthropic": {
      // The Anthropic SDK costs ~30 MB of RSS to load: only pay for it when it is used.
      const { AnthropicProvider } = await import("./anthropic.js");
      return new AnthropicProvider(r.model, refText, opts);
    }
    case "llama-file":
      // node-llama-cpp itself is imported lazily, on the first llama provider.
      return LlamaProvider.create({ path: r.path, ref: refText }, opts);
    case "llama-hf": {
      const path = await resolveHfModel(r.repo, r.file, {
        ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
        ...(opts.onDownloadProgress ? { onDownloadProgress: opts.onDownloadProgress } : {}),
      });
      return LlamaProvider.create({ path, ref: refText, cached: true }, opts);
    }
  }
}
