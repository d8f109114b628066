/** API keys and secret-free references. Keys are resolved here and never logged. */
import { ProviderConfigError } from "../errors.js";
import { redactModelRef } from "../redact.js";
import type { ProviderOptions } from "./types.js";

/** A reference without credentials (userinfo, secret query parameters): see redact.ts. */
export const redactRef = redactModelRef;

/** Resolves the API key and a description of where it came from (never the key itself). */
export function resolveApiKey(
  opts: ProviderOptions,
  defaultEnv: string,
  required: boolean,
): { key: string | undefined; source: string } {
  if (opts.apiKey) return { key: opts.apiKey, source: "the configured apiKey" };
  if (opts.apiKeyEnv) {
    const v = process.env[opts.apiKeyEnv];
    if (!v) {
      throw new ProviderConfigError(
        `API key env var ${opts.apiKeyEnv} is not set (named by apiKeyEnv); export it or change apiKeyEnv`,
      );
    }
    return { key: v, source: `env var ${opts.apiKeyEnv}` };
  }
  if (!required) return { key: undefined, source: "apiKeyEnv (none configured)" };
  const v = process.env[defaultEnv];
  if (!v) {
    throw new ProviderConfigError(
      `no API key: set the ${defaultEnv} environment variable (or name another variable with apiKeyEnv)`,
    );
  }
  return { key: v, source: `env var ${defaultEnv}` };
}
