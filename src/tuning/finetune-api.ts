/**
 * The fine-tuning API client: an `openai` SDK client for the endpoint and its key, and
 * one call with the engine's retry rules.
 */

import { setTimeout as sleep } from "node:timers/promises";
import type OpenAI from "openai";
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from "../engine/backoff.js";
import { CandorError, ProviderCallError } from "../errors.js";
import { type CallContext, mapSdkError } from "../providers/call-errors.js";
import { resolveApiKey } from "../providers/credentials.js";
import { httpFetch } from "../providers/http-fetch.js";
import { loadOpenAISdk, type OpenAISdk } from "../providers/sdk.js";
import type { FineTuneOptions } from "./finetune-types.js";

export interface Api {
  client: OpenAI;
  /** The loaded SDK, for its error classes and upload helper. */
  sdk: OpenAISdk;
  ctx: CallContext;
  endpoint: string;
  retry: RetryPolicy;
  signal: AbortSignal;
}

export async function openApi(options: FineTuneOptions, signal: AbortSignal): Promise<Api> {
  const official = options.baseURL === undefined;
  const endpoint = options.baseURL ?? "https://api.openai.com/v1";
  let resolved: { key: string | undefined; source: string };
  try {
    resolved = resolveApiKey(
      {
        ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
        ...(options.apiKeyEnv !== undefined && { apiKeyEnv: options.apiKeyEnv }),
      },
      "OPENAI_API_KEY",
      official,
    );
  } catch (error) {
    throw new CandorError(
      `fine-tuning API ${endpoint}: ${(error as Error).message} (CLI: --api-key-env <VAR>; another endpoint: --base-url)`,
    );
  }
  const { key, source } = resolved;
  const sdk = await loadOpenAISdk();
  return {
    sdk,
    client: new sdk.default({
      apiKey: key ?? "not-needed",
      ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
      maxRetries: 0,
      fetch: options.fetch ?? httpFetch,
      ...(!official && { organization: null, project: null }),
    }),
    ctx: { ref: `fine-tuning API ${endpoint}`, keySource: source, secrets: key ? [key] : [] },
    endpoint,
    retry: options.retry ?? DEFAULT_RETRY,
    signal,
  };
}

/** One API call with the engine's retry rules (429/5xx/connection, Retry-After honoured). */
export async function call<T>(
  api: Api,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let error: ProviderCallError;
    // One controller per attempt, linked to the run's signal: the SDK adds an abort listener
    // to the signal of every request, which would pile up on a long-lived signal.
    const attemptController = new AbortController();
    const onAbort = () => attemptController.abort(api.signal.reason);
    if (api.signal.aborted) attemptController.abort(api.signal.reason);
    else api.signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await fn(attemptController.signal);
    } catch (err) {
      const { sdk } = api;
      if (err instanceof sdk.APIError) {
        error = mapSdkError(
          err,
          {
            userAbort: err instanceof sdk.APIUserAbortError,
            timeout: err instanceof sdk.APIConnectionTimeoutError,
            connection: err instanceof sdk.APIConnectionError,
          },
          api.ctx,
          api.signal,
        );
      } else if (err instanceof ProviderCallError) error = err;
      else error = new ProviderCallError(`${api.ctx.ref}: ${(err as Error).message}`, false);
    } finally {
      api.signal.removeEventListener("abort", onAbort);
    }
    if (api.signal.aborted) throw new CandorError(`${what}: cancelled`);
    if (!error.retryable || attempt >= api.retry.maxAttempts) {
      throw new CandorError(`${what}: ${error.message}`);
    }
    try {
      await sleep(backoffDelay(attempt, api.retry, Math.random, error.retryAfterMs), undefined, {
        signal: api.signal,
      });
    } catch {
      throw new CandorError(`${what}: cancelled`);
    }
  }
}
