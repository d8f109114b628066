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
import { unlink } from "node:fs/promises";
import type { Progress } from "../data/hub/download.js";
import { fetchHubFiles, type HubSource } from "../data/hub/hub.js";
import { formatFromPath } from "../data/table.js";
import { DataError } from "../errors.js";
import {
  type ReadConversationOptions,
  type ReadConversationsResult,
  readConversationsFile,
  uniqueIds,
} from "./read.js";

/** A hub chat dataset: the same coordinates as a task dataset (id, revision, config, split, file, sha256). */
export type HubChatSource = HubSource;

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
  const entries = await fetchHubFiles(
    {
      id: source.id,
      config: source.config ?? "default",
      split: source.split ?? "train",
      ...(source.file !== undefined && { file: source.file }),
      ...(source.revision !== undefined && { revision: source.revision }),
      ...(source.sha256 !== undefined && { sha256: source.sha256 }),
      remedy:
        "To use a local copy instead, download the file and pass its path to `candor tune data`",
      invalid: (field, message) => new DataError(where, field, message),
    },
    {
      env,
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
      ...(options.retries !== undefined && { retries: options.retries }),
      ...(options.retryDelayMs !== undefined && { retryDelayMs: options.retryDelayMs }),
    },
  );

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
