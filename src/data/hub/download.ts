import { createHash } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname } from "node:path";
import {
  META_SUFFIX,
  removeStaleTemps,
  tempName,
  validCached,
  writeAtomic,
} from "./cache-files.js";
import type { CacheEntry, DownloadOptions } from "./download-types.js";
import { fetchFollowing, withRetries } from "./fetch.js";
import { asDownloadError, HubError, remedy } from "./hub-errors.js";
import { idleController } from "./idle.js";
import { withFileLock } from "./lock.js";

/**
 * HTTP downloads into the cache: redirects followed by hand (so the token is only ever
 * sent to the hub's own origin, never to the CDN it redirects to), streamed to a
 * temporary file while hashing, checked (length, sha256) and renamed into place. A
 * failed or interrupted download leaves nothing in the cache.
 */

export { sha256File } from "./cache-files.js";
export type { CacheEntry, DownloadOptions, FetchOptions, Progress } from "./download-types.js";
export { fetchText } from "./fetch.js";
export { HubError } from "./hub-errors.js";

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
