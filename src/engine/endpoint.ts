import type { Provider, ProviderOptions } from "../providers/types.js";
import type { Limiter } from "./limiter.js";

/** A model endpoint as the stages use it: the client plus its concurrency limiter. */
export interface Endpoint {
  provider: Provider;
  limiter: Limiter;
}

/** Makes a provider for a model reference (tests and library users pass their own). */
export type ProviderFactory = (ref: string, options: ProviderOptions) => Promise<Provider>;
