import { readFile, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError } from "../../errors.js";
import type { TaskName } from "../../types.js";
import {
  type CacheEntry,
  downloadToCache,
  fetchText,
  HubError,
  type Progress,
} from "./download.js";

/**
 * Hugging Face hub datasets. Two ways to name the data:
 *  - a file at a revision: `{id, revision?, file, sha256?}` →
 *    `{endpoint}/datasets/{id}/resolve/{revision}/{file}` (revision defaults to "main").
 *    Giving `revision` without `file` means the hub's Parquet conversion at that commit
 *    of the `refs/convert/parquet` branch: file `{config}/{split}/0000.parquet`.
 *  - nothing pinned: `{id, config, split}` → the converted-Parquet listing
 *    `{endpoint}/api/datasets/{id}/parquet/{config}/{split}` and every file it lists.
 * Pin `revision` + `file` + `sha256` for a reproducible run; every download records the
 * URL it was finally served from (which carries the commit) and its sha256.
 */

export interface HubSource {
  /** "owner/name" */
  id: string;
  revision?: string;
  config?: string;
  split?: string;
  /** Path of one file in the repository at `revision`. */
  file?: string;
  /** Expected sha256 (hex) of the file; checked on download and on every cache hit. */
  sha256?: string;
}

export interface HubDefault {
  id: string;
  config: string;
  split: string;
  gated?: boolean;
}

/** Default hub datasets of the built-in tasks (shared/data/README.md). */
export const HUB_DEFAULTS: Readonly<Record<TaskName, HubDefault>> = {
  triviaqa: { id: "mandarjoshi/trivia_qa", config: "rc.nocontext", split: "validation" },
  truthfulqa: { id: "truthfulqa/truthful_qa", config: "generation", split: "validation" },
  disinfo: { id: "cais/MASK", config: "disinformation", split: "test", gated: true },
  medqa: { id: "GBaker/MedQA-USMLE-4-options", config: "default", split: "test" },
  mmlu: { id: "cais/mmlu", config: "all", split: "test" },
  gsm8k: { id: "openai/gsm8k", config: "main", split: "test" },
  // Possibly gated: the hub may ask you to accept its terms before downloading.
  advbench: { id: "walledai/AdvBench", config: "default", split: "train", gated: true },
};

export interface HubOptions {
  /** Root of candor's cache; see `defaultCacheDir`. */
  cacheDir?: string;
  /** Hub base URL; default $HF_ENDPOINT or https://huggingface.co. */
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Re-download unpinned files and listings even when cached. */
  refresh?: boolean;
  retries?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  /** Environment to read HF_TOKEN / HF_ENDPOINT / cache variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** $CANDOR_CACHE_DIR, else $XDG_CACHE_HOME/candor, else ~/.cache/candor. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CANDOR_CACHE_DIR) return resolve(env.CANDOR_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), "candor");
  return join(homedir(), ".cache", "candor");
}

export function hubEndpoint(env: NodeJS.ProcessEnv = process.env, override?: string): string {
  return (override ?? env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
}

function hubToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  return token?.trim() ? token.trim() : undefined;
}

const ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;
const SHA256 = /^[0-9a-f]{64}$/i;

/** Cache path segment: safe characters only; never the token, never "..". */
function segment(text: string): string {
  const s = text.replace(/[^A-Za-z0-9._-]/g, "_");
  return s === "." || s === ".." || s === "" ? `_${s}` : s;
}

function filePath(file: string, invalid: HubFilesRequest["invalid"]): string[] {
  const parts = file.split("/").filter((p) => p !== "");
  if (parts.length === 0 || parts.some((p) => p === "." || p === "..")) {
    throw invalid("file", `"${file}" is not a file path inside the repository`);
  }
  return parts;
}

function encodePath(parts: readonly string[]): string {
  return parts.map(encodeURIComponent).join("/");
}

export interface HubFile extends CacheEntry {
  /** The file's name in the repository (or its index in a listing), for format detection. */
  name: string;
}

/** What to fetch from the hub, and how to word problems for the caller. */
export interface HubFilesRequest {
  /** "owner/name" */
  id: string;
  config: string;
  split: string;
  file?: string;
  revision?: string;
  sha256?: string;
  /** How to use a local copy instead (ends every download error). */
  remedy: string;
  /** Said when the hub refuses access (401/403); default: the dataset's page. */
  authHint?: string;
  /** An error for a bad request field, in the caller's terms (config path, CLI flag…). */
  invalid: (field: "id" | "sha256" | "file", message: string) => Error;
}

/**
 * Downloads (or finds in the cache) the files of a hub dataset: one pinned file,
 * or every converted-Parquet file of a config/split. Shared by the task loaders
 * and `candor tune` so both cache, check and report the same way.
 */
export async function fetchHubFiles(
  req: HubFilesRequest,
  options: HubOptions = {},
): Promise<HubFile[]> {
  const env = options.env ?? process.env;
  const { id, config, split } = req;
  if (!ID.test(id)) throw req.invalid("id", `"${id}" is not a dataset id; expected "owner/name"`);
  if (req.sha256 !== undefined && !SHA256.test(req.sha256))
    throw req.invalid("sha256", "expected 64 hex digits");
  const endpoint = hubEndpoint(env, options.endpoint);
  const cacheRoot = join(
    options.cacheDir ?? defaultCacheDir(env),
    "hub",
    "datasets",
    segment(id.replace("/", "--")),
  );
  const fetchOpts = {
    token: hubToken(env),
    tokenOrigin: new URL(endpoint).origin,
    signal: options.signal,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    idleTimeoutMs: options.idleTimeoutMs,
    authHint: req.authHint ?? `dataset page: https://huggingface.co/datasets/${id}`,
    remedy: req.remedy,
  };

  if (req.file !== undefined || req.revision !== undefined) {
    const revision = req.revision ?? "main";
    const parts = filePath(req.file ?? `${config}/${split}/0000.parquet`, req.invalid);
    const url = `${endpoint}/datasets/${id}/resolve/${encodeURIComponent(revision)}/${encodePath(parts)}`;
    const dest = join(cacheRoot, segment(revision), ...parts.map(segment));
    const entry = await downloadToCache(url, dest, {
      ...fetchOpts,
      label: parts.join("/"),
      expectedSha256: req.sha256,
      onProgress: options.onProgress,
      refresh: options.refresh,
    });
    return [{ ...entry, name: parts[parts.length - 1]! }];
  }

  // Unpinned: ask the hub which converted Parquet files make up this config/split.
  const listingUrl = `${endpoint}/api/datasets/${id}/parquet/${encodeURIComponent(config)}/${encodeURIComponent(split)}`;
  const listDir = join(cacheRoot, "parquet", segment(config), segment(split));
  const listing = await downloadToCache(listingUrl, join(listDir, "listing.json"), {
    ...fetchOpts,
    label: `${id} ${config}/${split} file list`,
    refresh: options.refresh,
  });
  let urls: string[];
  try {
    urls = parseListing(listingUrl, await readFile(listing.path, "utf8"), req.remedy);
  } catch (error) {
    // Never keep a listing we cannot use.
    await unlink(listing.path).catch(() => {});
    throw error;
  }
  if (req.sha256 && urls.length !== 1) {
    throw req.invalid(
      "sha256",
      `${id} ${config}/${split} has ${urls.length} Parquet files; pin one with \`file\` and \`revision\` to check a sha256`,
    );
  }
  const files: HubFile[] = [];
  for (const [i, url] of urls.entries()) {
    const entry = await downloadToCache(url, join(listDir, `${i}.parquet`), {
      ...fetchOpts,
      label: `${id} ${config}/${split} #${i}`,
      expectedSha256: req.sha256,
      onProgress: options.onProgress,
      refresh: options.refresh,
    });
    files.push({ ...entry, name: `${i}.parquet` });
  }
  return files;
}

/** Downloads (or finds in the cache) the files of a hub dataset for a task. */
export async function fetchHubDataset(
  task: TaskName,
  source: HubSource,
  options: HubOptions = {},
): Promise<HubFile[]> {
  const defaults = HUB_DEFAULTS[task];
  const sameDataset = source.id === defaults.id;
  return fetchHubFiles(
    {
      id: source.id,
      config: source.config ?? (sameDataset ? defaults.config : "default"),
      split: source.split ?? (sameDataset ? defaults.split : "train"),
      ...(source.file !== undefined && { file: source.file }),
      ...(source.revision !== undefined && { revision: source.revision }),
      ...(source.sha256 !== undefined && { sha256: source.sha256 }),
      remedy: `To use a local copy instead, download the file yourself and set \`path: <file>\` for task ${task} in the config (relative to the config file)`,
      ...(sameDataset &&
        defaults.gated && {
          authHint: `${defaults.id} is (possibly) gated: accept its terms at https://huggingface.co/datasets/${defaults.id} while logged in, then set HF_TOKEN`,
        }),
      invalid: (field, message) => new ConfigError(`tasks[${task}].hub.${field}: ${message}`),
    },
    options,
  );
}

/** The listing is a JSON array of URLs (or datasets-server's {parquet_files: [{url}]}). */
function parseListing(url: string, text: string, remedy: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HubError(
      url,
      "response",
      `not JSON; expected a list of Parquet file URLs. ${remedy}`,
    );
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
    throw new HubError(
      url,
      "response",
      `expected a non-empty JSON list of Parquet file URLs. ${remedy}`,
    );
  }
  return list as string[];
}

export { fetchText, HubError };
