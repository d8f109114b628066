import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DataError } from "../../errors.js";
import { DEFAULT_STALE_MS, sleep, withFileLock } from "./lock.js";

/**
 * HTTP downloads into the cache: redirects followed by hand (so the token is only ever
 * sent to the hub's own origin, never to the CDN it redirects to), streamed to a
 * temporary file while hashing, checked (length, sha256) and renamed into place. A
 * failed or interrupted download leaves nothing in the cache.
 */

export interface Progress {
  file: string;
  done: number;
  total?: number;
}

export interface FetchOptions {
  /** Bearer token, sent only to `tokenOrigin`. Never logged or stored. */
  token?: string;
  tokenOrigin?: string;
  signal?: AbortSignal;
  /** Extra attempts after a retryable failure (network error, dropped connection, 429, 5xx). */
  retries?: number;
  retryDelayMs?: number;
  /** Abort when no byte arrives for this long. */
  idleTimeoutMs?: number;
  /** Explains how to do without the download, appended to every error. */
  remedy?: string;
  /** Explains what a 401/403 means for this resource. */
  authHint?: string;
}

export interface DownloadOptions extends FetchOptions {
  /** Label for progress callbacks (e.g. the file name). */
  label?: string;
  expectedSha256?: string;
  onProgress?: (p: Progress) => void;
  /** Ignore a cached copy (unless its sha256 is pinned and matches). */
  refresh?: boolean;
}

export interface CacheEntry {
  path: string;
  url: string;
  /** The URL the content was finally served from, after redirects. */
  finalUrl: string;
  sha256: string;
  bytes: number;
  fromCache: boolean;
  etag?: string;
  /** The hub's X-Repo-Commit header: the commit the file came from. */
  repoCommit?: string;
}

/** A hub failure; `file` is the exact URL. */
export class HubError extends DataError {
  constructor(
    url: string,
    where: string | undefined,
    expected: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(url, where, expected);
  }
}

const META_SUFFIX = ".candor-meta.json";

/** Downloads `url` to `dest` (or reuses a valid cached copy), under a lock. */
export async function downloadToCache(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<CacheEntry> {
  await mkdir(dirname(dest), { recursive: true });
  return withFileLock(
    `${dest}.lock`,
    async () => {
      await removeStaleTemps(dest);
      const cached = await validCached(url, dest, options);
      if (cached) return cached;
      return withRetries(url, options, () => downloadOnce(url, dest, options));
    },
    { signal: options.signal },
  );
}

async function validCached(
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<CacheEntry | undefined> {
  let size: number;
  try {
    size = (await stat(dest)).size;
  } catch {
    return undefined;
  }
  const meta = await readMeta(dest);
  if (options.expectedSha256) {
    const actual = await sha256File(dest);
    if (actual === options.expectedSha256.toLowerCase()) {
      return {
        ...meta,
        path: dest,
        url,
        finalUrl: meta?.finalUrl ?? url,
        sha256: actual,
        bytes: size,
        fromCache: true,
      };
    }
    // Corrupt or stale: drop it and download again.
    await unlink(dest).catch(() => {});
    return undefined;
  }
  if (options.refresh) return undefined;
  if (!meta || meta.bytes !== size || (meta as { url?: string }).url !== url) {
    await unlink(dest).catch(() => {});
    return undefined;
  }
  return { ...meta, path: dest, url, fromCache: true };
}

async function readMeta(
  dest: string,
): Promise<Omit<CacheEntry, "path" | "url" | "fromCache"> | undefined> {
  try {
    return JSON.parse(await readFile(dest + META_SUFFIX, "utf8")) as Omit<
      CacheEntry,
      "path" | "url" | "fromCache"
    >;
  } catch {
    return undefined;
  }
}

async function writeAtomic(dest: string, data: string): Promise<void> {
  const tmp = tempName(dest);
  try {
    await writeFile(tmp, data, { flag: "wx" });
    await rename(tmp, dest);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/** Temporary files of this entry left by a killed process (we hold the lock, so none is live). */
async function removeStaleTemps(dest: string): Promise<void> {
  const prefix = `.${basename(dest)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(dest));
  } catch {
    return;
  }
  const cutoff = Date.now() - DEFAULT_STALE_MS;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const file = join(dirname(dest), name);
    const info = await stat(file).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await unlink(file).catch(() => {});
  }
}

function tempName(dest: string): string {
  return join(
    dirname(dest),
    `.${basename(dest)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
}

async function downloadOnce(
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<CacheEntry> {
  const label = options.label ?? basename(dest);
  const idle = idleController(options);
  try {
    const { response, finalUrl, hubHeaders } = await fetchFollowing(url, options, idle.signal);
    const encoded = response.headers.get("content-encoding");
    const lengthHeader = response.headers.get("content-length");
    const total = lengthHeader && !encoded ? Number(lengthHeader) : undefined;
    const tmp = tempName(dest);
    const hash = createHash("sha256");
    let done = 0;
    const handle = await open(tmp, "wx");
    try {
      options.onProgress?.({ file: label, done, total });
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          idle.touch();
          hash.update(chunk);
          await handle.write(chunk);
          done += chunk.byteLength;
          options.onProgress?.({ file: label, done, total });
        }
      }
      if (total !== undefined && done !== total) {
        throw new HubError(
          url,
          "download",
          `connection closed after ${done} of ${total} bytes; nothing was cached — try again${remedy(options)}`,
          undefined,
          true,
        );
      }
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw asDownloadError(url, error, done, total, options, idle);
    }
    await handle.close();
    const sha256 = hash.digest("hex");
    if (options.expectedSha256 && sha256 !== options.expectedSha256.toLowerCase()) {
      await unlink(tmp).catch(() => {});
      throw new HubError(
        url,
        "sha256 check",
        `expected sha256 ${options.expectedSha256.toLowerCase()} but the downloaded file has ${sha256}; the file changed upstream or the pinned checksum is wrong — nothing was cached${remedy(options)}`,
      );
    }
    await rename(tmp, dest);
    const entry: CacheEntry = {
      path: dest,
      url,
      finalUrl,
      sha256,
      bytes: done,
      fromCache: false,
      // The hub answers these on the first hop, before redirecting to its CDN.
      etag: hubHeaders.etag ?? response.headers.get("etag") ?? undefined,
      repoCommit: hubHeaders.repoCommit ?? response.headers.get("x-repo-commit") ?? undefined,
    };
    const { path: _p, fromCache: _f, ...meta } = entry;
    await writeAtomic(
      dest + META_SUFFIX,
      JSON.stringify({ ...meta, downloadedAt: new Date().toISOString() }, null, 2),
    );
    return entry;
  } finally {
    idle.dispose();
  }
}

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

async function withRetries<T>(
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

interface Idle {
  signal: AbortSignal;
  touch(): void;
  dispose(): void;
  timedOut(): boolean;
}

function idleController(options: FetchOptions): Idle {
  const controller = new AbortController();
  const ms = options.idleTimeoutMs ?? 60_000;
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      controller.abort(new Error(`no data for ${ms} ms`));
    }, ms);
    timer.unref();
  };
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  arm();
  return {
    signal: controller.signal,
    touch: arm,
    timedOut: () => fired,
    dispose: () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    },
  };
}

const MAX_REDIRECTS = 10;

/** GET with redirects followed by hand; non-2xx statuses become HubErrors. */
async function fetchFollowing(
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

function via(url: string, current: string): string {
  return current === url ? "" : ` (redirected to ${current})`;
}

function statusError(
  url: string,
  current: string,
  status: number,
  options: FetchOptions,
): HubError {
  const where = `HTTP ${status}`;
  const at = via(url, current);
  if (status === 401 || status === 403) {
    const tokenState = options.token
      ? "HF_TOKEN is set but was refused: check that the token has read access and that its account accepted the dataset's terms"
      : "no HF_TOKEN is set: create a read token at https://huggingface.co/settings/tokens, accept the dataset's terms on its page, and export HF_TOKEN";
    return new HubError(
      url,
      where,
      `${status === 401 ? "unauthorized" : "forbidden"}${at}; the dataset may be gated or private — ${tokenState}${options.authHint ? ` (${options.authHint})` : ""}${remedy(options)}`,
      status,
    );
  }
  if (status === 404) {
    return new HubError(
      url,
      where,
      `not found${at}; check the dataset id, config, split, file and revision${remedy(options)}`,
      status,
    );
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return new HubError(
    url,
    where,
    `the server answered ${status}${at}${remedy(options)}`,
    status,
    retryable,
  );
}

function networkError(
  url: string,
  current: string,
  error: unknown,
  options: FetchOptions,
  signal: AbortSignal,
): HubError {
  const cause = describeCause(error);
  if (signal.aborted) {
    return new HubError(
      url,
      "download",
      `no response${via(url, current)}: ${cause}${remedy(options)}`,
      undefined,
      true,
    );
  }
  return new HubError(
    url,
    "network",
    `could not reach ${new URL(current).host} (${cause}); you may be offline${remedy(options)}`,
    undefined,
    true,
  );
}

function asDownloadError(
  url: string,
  error: unknown,
  done: number,
  total: number | undefined,
  options: FetchOptions,
  idle: Idle,
): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  if (error instanceof HubError) return error;
  const cause = idle.timedOut()
    ? `no data for ${options.idleTimeoutMs ?? 60_000} ms`
    : describeCause(error);
  const of = total !== undefined ? ` of ${total}` : "";
  return new HubError(
    url,
    "download",
    `interrupted after ${done}${of} bytes (${cause}); nothing was cached — try again${remedy(options)}`,
    undefined,
    true,
  );
}

function describeCause(error: unknown): string {
  const e = error as {
    message?: string;
    code?: string;
    cause?: { code?: string; message?: string };
  };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return code ? `${code}: ${message}` : message;
}

function remedy(options: FetchOptions): string {
  return options.remedy ? `. ${options.remedy}` : "";
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
