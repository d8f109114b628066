/**
 * Turning SDK/transport failures into ProviderCallError, the one error type the engine
 * understands: `retryable` for 408/409/429/5xx, timeouts and dropped connections, with the
 * server's Retry-After in `retryAfterMs`; everything else is final, with a message saying
 * what to fix. Secrets are scrubbed from every message.
 */
import { ProviderCallError } from "../errors.js";
import { findNotJson } from "./reply.js";

/** What the mapper needs to know about the call. */
export interface CallContext {
  /** Model reference (already free of secrets). */
  ref: string;
  /** Where the key came from, for 401 advice, e.g. `env var OPENAI_API_KEY`. */
  keySource: string;
  /** Strings that must never appear in a message (the API key). */
  secrets: readonly string[];
}

/** Retry-After as milliseconds: `retry-after-ms`, else `retry-after` in seconds or an HTTP date. */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return Math.round(v);
  }
  const ra = headers.get("retry-after");
  if (ra === null || ra.trim() === "") return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs >= 0 ? Math.round(secs * 1000) : undefined;
  const date = Date.parse(ra);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Removes secrets (and anything that looks like an API key) from a message. */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join("***");
  }
  return out.replace(/\b(sk|sk-ant|sk-proj)-[A-Za-z0-9_*-]{6,}/g, "$1-***");
}

/** Statuses worth retrying after a backoff. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** An abort of the caller's signal: a timeout is retryable, a cancellation is not. */
export function abortedError(ref: string, signal: AbortSignal | undefined): ProviderCallError {
  const reason: unknown = signal?.reason;
  const isTimeout = reason instanceof Error && reason.name === "TimeoutError";
  const err = new ProviderCallError(
    `${ref}: request ${isTimeout ? "timed out" : "aborted"}`,
    isTimeout,
  );
  if (reason !== undefined) err.cause = reason;
  return err;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** The server's own error text, from an OpenAI/Anthropic-style body `{error: {message}}`. */
function serverMessage(error: unknown, fallback: string): string {
  if (isRecord(error)) {
    const inner = isRecord(error.error) ? error.error : error;
    if (typeof inner.message === "string" && inner.message.length > 0) return inner.message;
  }
  return fallback;
}

function describeStatus(status: number, ctx: CallContext): string {
  switch (status) {
    case 400:
      return "bad request (check the model parameters and output schema)";
    case 401:
      return `authentication failed: check the API key in ${ctx.keySource}`;
    case 403:
      return `permission denied: the API key in ${ctx.keySource} may not have access to this model`;
    case 404:
      return "not found: check the model name and base URL";
    case 408:
      return "request timeout";
    case 409:
      return "conflict";
    case 413:
      return "request too large";
    case 422:
      return "unprocessable request";
    case 429:
      return "rate limited";
    default:
      return status >= 500 ? "server error" : "request failed";
  }
}

/** The fields Stainless SDK errors (openai, @anthropic-ai/sdk) share. */
interface SdkErrorLike {
  status?: number | undefined;
  headers?: { get(name: string): string | null } | undefined;
  error?: unknown;
  message: string;
  cause?: unknown;
}

function causeText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 4 && isRecord(cur); i++) {
    const code = typeof cur.code === "string" ? cur.code : undefined;
    const msg = typeof cur.message === "string" ? cur.message : undefined;
    if (code && !parts.includes(code)) parts.push(code);
    else if (msg && msg !== "fetch failed" && !parts.includes(msg)) parts.push(msg);
    cur = cur.cause;
  }
  return parts.join(": ");
}

export interface SdkErrorKinds {
  /** The caller's signal was aborted. */
  userAbort: boolean;
  /** The SDK's own timeout fired. */
  timeout: boolean;
  /** No HTTP response (refused, reset, DNS…). */
  connection: boolean;
}

/** Maps an SDK error (already classified by the caller with `instanceof`) to ProviderCallError. */
export function mapSdkError(
  err: SdkErrorLike,
  kinds: SdkErrorKinds,
  ctx: CallContext,
  signal: AbortSignal | undefined,
): ProviderCallError {
  if (kinds.userAbort || signal?.aborted) return abortedError(ctx.ref, signal);
  if (kinds.timeout) return new ProviderCallError(`${ctx.ref}: request timed out`, true);
  if (kinds.connection || err.status === undefined) {
    const detail = scrub(causeText(err.cause) || err.message, ctx.secrets);
    const failed = new ProviderCallError(`${ctx.ref}: connection failed (${detail})`, true);
    failed.connectionFailed = true;
    return failed;
  }
  const status = err.status;
  const shouldRetry = err.headers?.get("x-should-retry");
  const retryable =
    shouldRetry === "true" ? true : shouldRetry === "false" ? false : isRetryableStatus(status);
  const what = describeStatus(status, ctx);
  // A 401 body may echo a masked key: leave it out entirely.
  const fallback = err.message.replace(/^\d{3}\s*/, "").replace(/^status code \(no body\)$/, "");
  const raw = status === 401 ? "" : serverMessage(err.error, fallback);
  const detail = scrub(raw.length > 300 ? `${raw.slice(0, 300)}…` : raw, ctx.secrets);
  const message = `${ctx.ref}: HTTP ${status} ${what}${detail ? `: ${detail}` : ""}`;
  return new ProviderCallError(
    message,
    retryable,
    status,
    retryable ? parseRetryAfter(err.headers) : undefined,
  );
}

/** Any error class, whatever its constructor takes (only used with instanceof). */
type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes of one Stainless SDK (openai or @anthropic-ai/sdk). */
export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIUserAbortError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIConnectionError: ErrorClass;
}

/**
 * Any error thrown by an SDK call → ProviderCallError. SDK errors are classified
 * by class; anything else (a malformed body…) is final, since retrying blindly
 * would only repeat it.
 */
export function mapProviderError(
  err: unknown,
  classes: SdkErrorClasses,
  ctx: CallContext,
  signal: AbortSignal | undefined,
): ProviderCallError {
  if (err instanceof classes.APIError) {
    return mapSdkError(
      err as Error & SdkErrorLike,
      {
        userAbort: err instanceof classes.APIUserAbortError,
        timeout: err instanceof classes.APIConnectionTimeoutError,
        connection: err instanceof classes.APIConnectionError,
      },
      ctx,
      signal,
    );
  }
  if (signal?.aborted) return abortedError(ctx.ref, signal);
  const notJson = findNotJson(err);
  if (notJson) return new ProviderCallError(`${ctx.ref}: ${notJson.message}`, notJson.truncated);
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderCallError(`${ctx.ref}: ${scrub(message, ctx.secrets)}`, false);
}
