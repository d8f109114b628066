import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { CacheEntry, DownloadOptions } from "./download-types.js";
import { DEFAULT_STALE_MS } from "./lock.js";

/**
 * The download cache on disk: a file, its metadata sidecar (`<file>.candor-meta.json`)
 * and the temporary files downloads write before renaming into place.
 */

export const META_SUFFIX = ".candor-meta.json";

export async function validCached(
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

export async function writeAtomic(dest: string, data: string): Promise<void> {
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
export async function removeStaleTemps(dest: string): Promise<void> {
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

export function tempName(dest: string): string {
  return join(
    dirname(dest),
    `.${basename(dest)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
