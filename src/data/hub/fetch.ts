import type { FetchOptions } from "./download-types.js";
import { asDownloadError, HubError, networkError, remedy, statusError } from "./hub-errors.js";
import { idleController } from "./idle.js";
import { sleep } from "./lock.js";

/**
 * GETs from the hub: redirects followed by hand (so the token is only ever sent to the
 * hub's own origin, never to the CDN it redirects to), retries with backoff on retryable
 * failures, and HubErrors for everything else.
 */

/** GETs a small resource (e.g. a JSON listing) as text, with the same redirect/error rules. */
export async function fetchText(url: string, options: FetchOptions = {}): Promise<string> {
  return withRetries(url, options, async () => {
    const idle = idleController(options);
    try {
      const { response } = await fetchFollowing(url, options, idle.signal);
      try {
        return await response.text();
      } catch (error) {
        throw asDownloadError(url, error, 0, undefined, options, idle);
      }
    } finally {
      idle.dispose();
    }
  });
}

export async function withRetries<T>(
  url: string,
  options: FetchOptions,
  attempt: () => Promise<T>,
): Promise<T> {
  const retries = options.retries ?? 2;
  const base = options.retryDelayMs ?? 500;
  for (let k = 0; ; k++) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const retryable = error instanceof HubError && error.retryable;
      if (!retryable || k >= retries) {
        if (error instanceof HubError && retryable && k > 0) {
          throw new HubError(
            url,
            error.where,
            `${error.expected} (after ${k + 1} attempts)`,
            error.status,
            true,
          );
        }
        throw error;
      }
      await sleep(base * 2 ** k, options.signal);
    }
  }
}

const MAX_REDIRECTS = 10;

/** GET with redirects followed by hand; non-2xx statuses become HubErrors. */
export async function fetchFollowing(
  url: string,
  options: FetchOptions,
  signal: AbortSignal,
): Promise<{
  response: Response;
  finalUrl: string;
  hubHeaders: { etag?: string; repoCommit?: string };
}> {
  let current = url;
  const hubHeaders: { etag?: string; repoCommit?: string } = {};
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { "user-agent": "candor (dataset loader)" };
    if (options.token && options.tokenOrigin && new URL(current).origin === options.tokenOrigin) {
      headers.authorization = `Bearer ${options.token}`;
    }
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: "manual", signal });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw networkError(url, current, error, options, signal);
    }
    hubHeaders.repoCommit ??= response.headers.get("x-repo-commit") ?? undefined;
    hubHeaders.etag ??= response.headers.get("x-linked-etag") ?? undefined;
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      const location = response.headers.get("location");
      await response.body?.cancel().catch(() => {});
      if (!location) {
        throw new HubError(
          url,
          `HTTP ${response.status}`,
          `redirect without a Location header${remedy(options)}`,
          response.status,
        );
      }
      current = new URL(location, current).toString();
      continue;
    }
    if (response.ok) return { response, finalUrl: current, hubHeaders };
    await response.body?.cancel().catch(() => {});
    throw statusError(url, current, response.status, options);
  }
  throw new HubError(url, "redirects", `more than ${MAX_REDIRECTS} redirects${remedy(options)}`);
}
