import type { GenerateRequest, GenerateResult, Provider } from "../providers/types.js";
import { type CallOptions, callModel } from "./call.js";
import type { Limiter } from "./limiter.js";
import { cacheKey, type ResponseCache } from "./response-cache.js";

export interface CachedCallResult {
  result: GenerateResult;
  attempts: number;
  latencyMs: number;
  cached: boolean;
}

/** callModel, answered from the response cache when it holds this exact request. */
export async function cachedCallModel(
  cache: ResponseCache | undefined,
  sample: number,
  provider: Provider,
  limiter: Limiter,
  request: Omit<GenerateRequest, "signal">,
  options: CallOptions,
): Promise<CachedCallResult> {
  if (!cache) return { ...(await callModel(provider, limiter, request, options)), cached: false };
  const key = cacheKey({
    model: provider.ref,
    messages: request.messages,
    params: request.params,
    ...(request.outputSchema && { outputSchema: request.outputSchema }),
    sample,
  });
  const hit = cache.get(key);
  if (hit) return { result: hit, attempts: 0, latencyMs: 0, cached: true };
  const out = await callModel(provider, limiter, request, options);
  cache.put(key, out.result);
  return { ...out, cached: false };
}
