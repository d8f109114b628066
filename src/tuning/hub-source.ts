/**
 * Hugging Face chat datasets as conversation sources, through the data layer's hub
 * downloader (locked atomic cache, sha256 checks, token sent only to the hub origin).
 *
 *  - pinned file: `{id, revision?, file, sha256?}` →
 *    `{endpoint}/datasets/{id}/resolve/{revision}/{file}` (JSON Lines, JSON or Parquet);
 *  - unpinned: `{id, config?, split?}` → the hub's converted-Parquet listing
 *    `{endpoint}/api/datasets/{id}/parquet/{config}/{split}` and every file it lists.
 * The same layout as task datasets (src/data/hub/hub.ts); chat datasets are not tasks, so
 * this module builds the URLs itself and reuses the download and cache code.
 */
import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type CacheEntry, downloadToCache, HubError, type Progress } from "../data/hub/download.js";
import { defaultCacheDir, hubEndpoint } from "../data/hub/hub.js";
import { formatFromPath } from "../data/table.js";
import { DataError } from "../errors.js";
import {
  type ReadConversationOptions,
  type ReadConversationsResult,
  readConversationsFile,
  uniqueIds,
} from "./read.js";

export interface HubChatSource {
  /** "owner/name" */
  id: string;
  revision?: string;
  /** Converted-Parquet config and split (default "default" / "train"). */
  config?: string;
  split?: string;
  /** A file inside the repository at `revision` (e.g. "data/train.jsonl"). */
  file?: string;
  sha256?: string;
}

export interface HubChatOptions extends ReadConversationOptions {
  cacheDir?: string;
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  env?: NodeJS.ProcessEnv;
  retries?: number;
  retryDelayMs?: number;
}

export interface HubReadResult extends Omit<ReadConversationsResult, "file"> {
  files: { path: string; url: string; finalUrl: string; sha256: string; bytes: number }[];
  source: HubChatSource;
}

const ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

function segment(text: string): string {
  const s = text.replace(/[^A-Za-z0-9._-]/g, "_");
  return s === "." || s === ".." || s === "" ? `_${s}` : s;
}

/** Parses `hf:<owner>/<name>` (the CLI's way to name a hub source); undefined otherwise. */
export function parseHubSpec(spec: string): string | undefined {
  const m = /^(?:hf|hub):(.+)$/.exec(spec.trim());
  return m ? m[1] : undefined;
}

/** Downloads (or finds in the cache) a chat dataset and reads its conversations. */
export async function readHubConversations(
  source: HubChatSource,
  options: HubChatOptions = {},
): Promise<HubReadResult> {
  const env = options.env ?? process.env;
  const where = `hub dataset ${source.id}`;
  if (!ID.test(source.id)) {
    throw new DataError(
      where,
      undefined,
      `"${source.id}" is not a dataset id; expected "owner/name"`,
    );
  }
  if (source.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(source.sha256)) {
    throw new DataError(where, "sha256", "expected 64 hex digits");
  }
  const endpoint = hubEndpoint(env, options.endpoint);
  const token = (env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN)?.trim() || undefined;
  const cacheRoot = join(
    options.cacheDir ?? defaultCacheDir(env),
    "hub",
    "datasets",
    segment(source.id.replace("/", "--")),
  );
  const fetchOpts = {
    token,
    tokenOrigin: new URL(endpoint).origin,
    signal: options.signal,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    authHint: `dataset page: https://huggingface.co/datasets/${source.id}`,
    remedy:
      "To use a local copy instead, download the file and pass its path to `candor tune data`",
  };

  let entries: (CacheEntry & { name: string })[];
  if (source.file !== undefined || source.revision !== undefined) {
    const config = source.config ?? "default";
    const split = source.split ?? "train";
    const file = source.file ?? `${config}/${split}/0000.parquet`;
    const parts = file.split("/").filter((p) => p !== "");
    if (parts.length === 0 || parts.some((p) => p === "." || p === "..")) {
      throw new DataError(where, "file", `"${file}" is not a file path inside the repository`);
    }
    const revision = source.revision ?? "main";
    const url = `${endpoint}/datasets/${source.id}/resolve/${encodeURIComponent(revision)}/${parts.map(encodeURIComponent).join("/")}`;
    const entry = await downloadToCache(
      url,
      join(cacheRoot, segment(revision), ...parts.map(segment)),
      {
        ...fetchOpts,
        label: parts.join("/"),
        expectedSha256: source.sha256,
        onProgress: options.onProgress,
      },
    );
    entries = [{ ...entry, name: parts.at(-1)! }];
  } else {
    const config = source.config ?? "default";
    const split = source.split ?? "train";
    const listingUrl = `${endpoint}/api/datasets/${source.id}/parquet/${encodeURIComponent(config)}/${encodeURIComponent(split)}`;
    const listDir = join(cacheRoot, "parquet", segment(config), segment(split));
    const listing = await downloadToCache(listingUrl, join(listDir, "listing.json"), {
      ...fetchOpts,
      label: `${source.id} ${config}/${split} file list`,
    });
    let urls: string[];
    try {
      urls = parseListing(listingUrl, await readFile(listing.path, "utf8"));
    } catch (error) {
      await unlink(listing.path).catch(() => {});
      throw error;
    }
    entries = [];
    for (const [i, url] of urls.entries()) {
      const entry = await downloadToCache(url, join(listDir, `${i}.parquet`), {
        ...fetchOpts,
        label: `${source.id} ${config}/${split} #${i}`,
        expectedSha256: source.sha256,
        onProgress: options.onProgress,
      });
      entries.push({ ...entry, name: `${i}.parquet` });
    }
  }

  const result: HubReadResult = {
    conversations: [],
    skipped: [],
    records: 0,
    files: [],
    source,
  };
  for (const entry of entries) {
    const format = options.format ?? formatFromPath(entry.name) ?? "parquet";
    let read: ReadConversationsResult;
    try {
      read = await readConversationsFile(entry.path, { ...options, format, name: entry.url });
    } catch (error) {
      // A download we cannot read as a table must not stay in the cache.
      if (error instanceof DataError && error.where === undefined) {
        await Promise.all(
          [entry.path, `${entry.path}.candor-meta.json`].map((p) => unlink(p).catch(() => {})),
        );
      }
      throw error;
    }
    result.conversations.push(...read.conversations);
    result.skipped.push(...read.skipped);
    result.records += read.records;
    result.files.push({
      path: entry.path,
      url: entry.url,
      finalUrl: entry.finalUrl,
      sha256: entry.sha256,
      bytes: entry.bytes,
    });
  }
  result.conversations = uniqueIds(result.conversations);
  return result;
}

function parseListing(url: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HubError(url, "response", "not JSON; expected a list of Parquet file URLs");
  }
  let list: unknown = value;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const files = (value as { parquet_files?: unknown }).parquet_files;
    if (Array.isArray(files)) list = files.map((f) => (f as { url?: unknown })?.url);
  }
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((u) => typeof u === "string" && /^https?:\/\//.test(u))
  ) {
    throw new HubError(url, "response", "expected a non-empty JSON list of Parquet file URLs");
  }
  return list as string[];
}
