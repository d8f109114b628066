import { readdir, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { DataError } from "../errors.js";
import type { Item, TaskName } from "../types.js";
import { sha256File } from "./hub/download.js";
import { fetchHubDataset, HUB_DEFAULTS, type HubOptions, type HubSource } from "./hub/hub.js";
import { sampleItems } from "./sample.js";
import {
  formatFromPath,
  readTable,
  type Table,
  type TableFormat,
  type TextEncoding,
} from "./table.js";
import { advbench, gsm8k, mmlu } from "./tasks/controls.js";
import { disinfo } from "./tasks/disinfo.js";
import { genericAdapter } from "./tasks/generic.js";
import { medqa } from "./tasks/medqa.js";
import { triviaqa } from "./tasks/triviaqa.js";
import { truthfulqa } from "./tasks/truthfulqa.js";
import type { TaskAdapter } from "./tasks/types.js";

/**
 * Dataset sources → Items. A task's data comes from a local file (`path`), a Hugging
 * Face dataset (`hub`), or — with neither — the task's default hub dataset.
 */

export interface TaskSourceSpec {
  task: TaskName;
  /** Local file or directory (relative paths resolve against `baseDir`). */
  path?: string;
  /** Hugging Face dataset; defaults to HUB_DEFAULTS[task] when `path` is absent. */
  hub?: HubSource;
  /**
   * Column mapping for a custom file: `{question, correct, incorrect?, id?}` → column
   * names. When given, the built-in adapter is bypassed.
   */
  columns?: Record<string, string>;
  /** Items to sample (seeded); all when absent. */
  n?: number;
  /** File format when the extension does not tell. */
  format?: TableFormat;
  /** Text encoding of a local CSV/JSONL/JSON file (default utf8). */
  encoding?: TextEncoding;
}

export interface LoadOptions extends Omit<HubOptions, "signal" | "onProgress"> {
  seed: number;
  /** Directory that relative paths resolve against (the config file's directory). */
  baseDir: string;
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: { file: string; done: number; total?: number }) => void;
}

export interface SourceFile {
  /** Local path (for hub files: the cache path). */
  path: string;
  /** Hub URL asked for, and where it was finally served from (carries the commit). */
  url?: string;
  finalUrl?: string;
  sha256: string;
  bytes: number;
  fromCache?: boolean;
  /** The hub commit the file was served from (X-Repo-Commit), when the hub said. */
  repoCommit?: string;
}

export interface LoadedTask {
  task: TaskName;
  /** The sampled items, in dataset order. */
  items: Item[];
  /** Items in the source before sampling. */
  total: number;
  /** Exactly which bytes the items came from, for the run record. */
  source: { kind: "local" | "hub"; files: SourceFile[]; hub?: HubSource };
  /** What the user should know about the data: repeats dropped, fewer items than asked. */
  warnings: string[];
}

export const ADAPTERS: Readonly<Record<TaskName, TaskAdapter>> = {
  truthfulqa,
  triviaqa,
  disinfo,
  medqa,
  mmlu,
  gsm8k,
  advbench,
};

/** Loads and samples the items of one task. */
export async function loadItems(spec: TaskSourceSpec, opts: LoadOptions): Promise<Item[]> {
  return (await loadTask(spec, opts)).items;
}

/** Like `loadItems`, and also says exactly which files the items came from. */
export async function loadTask(spec: TaskSourceSpec, opts: LoadOptions): Promise<LoadedTask> {
  const adapter = spec.columns ? genericAdapter(spec.task, spec.columns) : ADAPTERS[spec.task];
  if (!adapter)
    throw new DataError(
      "config",
      `task ${String(spec.task)}`,
      `unknown task; expected one of ${Object.keys(ADAPTERS).join(", ")}`,
    );
  opts.signal?.throwIfAborted();

  let tables: Table[];
  let source: LoadedTask["source"];
  if (spec.path !== undefined) {
    const files = await localFiles(
      resolvePath(spec.path, opts.baseDir),
      spec.format,
      adapter.expected,
    );
    tables = [];
    const sourceFiles: SourceFile[] = [];
    for (const file of files) {
      tables.push(
        await readTable(file, {
          format: spec.format,
          expected: adapter.expected,
          ...(spec.encoding !== undefined && { encoding: spec.encoding }),
          ...adapter.readOptions?.(file),
        }),
      );
      const info = await stat(file);
      sourceFiles.push({ path: file, sha256: await sha256File(file), bytes: info.size });
    }
    source = { kind: "local", files: sourceFiles };
  } else {
    const hub: HubSource = spec.hub ?? { id: HUB_DEFAULTS[spec.task].id };
    const files = await fetchHubDataset(spec.task, hub, {
      ...opts,
      cacheDir: opts.cacheDir,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    tables = [];
    for (const f of files) {
      const format = spec.format ?? formatFromPath(f.name) ?? "parquet";
      try {
        // Errors name the URL the user can open, not the cache path.
        tables.push(
          await readTable(f.path, {
            format,
            expected: adapter.expected,
            name: f.url,
            ...adapter.readOptions?.(f.name),
          }),
        );
      } catch (error) {
        // An unreadable download must not stay in the cache.
        if (error instanceof DataError) {
          await removeCached(f.path);
          throw new DataError(
            error.file,
            error.where,
            `${error.expected} (the cached copy was removed)`,
          );
        }
        throw error;
      }
    }
    source = {
      kind: "hub",
      hub,
      files: files.map((f) => ({
        path: f.path,
        url: f.url,
        finalUrl: f.finalUrl,
        sha256: f.sha256,
        bytes: f.bytes,
        fromCache: f.fromCache,
        repoCommit: f.repoCommit,
      })),
    };
  }
  opts.signal?.throwIfAborted();
  const warnings: string[] = [];
  const all = uniqueIds(
    adapter.toItems(tables, { seed: opts.seed, warn: (message) => warnings.push(message) }),
  );
  if (all.length === 0) {
    throw new DataError(
      tables[0]?.file ?? String(spec.path),
      undefined,
      `no items; expected ${adapter.expected}`,
    );
  }
  if (spec.n !== undefined && spec.n > all.length) {
    warnings.push(
      `${spec.task}: n = ${spec.n} but the dataset has only ${all.length} items; all ${all.length} are used`,
    );
  }
  return {
    task: spec.task,
    items: sampleItems(all, spec.n, opts.seed, spec.task),
    total: all.length,
    source,
    warnings,
  };
}

async function removeCached(path: string): Promise<void> {
  await Promise.all(
    [unlink(path), unlink(`${path}.candor-meta.json`)].map((p) => p.catch(() => {})),
  );
}

function resolvePath(path: string, baseDir: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** A file, or every data file directly inside a directory (sorted by name). */
async function localFiles(
  path: string,
  format: TableFormat | undefined,
  expected: string,
): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new DataError(path, undefined, `file not found; expected ${expected}`);
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path))
    .filter(
      (n) =>
        !n.startsWith(".") &&
        (format ? formatFromPath(n) === format : formatFromPath(n) !== undefined),
    )
    .sort();
  if (names.length === 0) {
    throw new DataError(
      path,
      undefined,
      `directory has no .csv, .jsonl, .json or .parquet files; expected ${expected}`,
    );
  }
  return names.map((n) => join(path, n));
}

/**
 * Ids must be unique within a task. Content-hash ids collide only for identical
 * questions; later duplicates get "-2", "-3"… in file order (stable for a given file).
 */
function uniqueIds(items: Item[]): Item[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const count = (seen.get(item.id) ?? 0) + 1;
    seen.set(item.id, count);
    return count === 1
      ? item
      : { ...item, id: `${item.id}-${count}`, meta: { ...item.meta, duplicateOf: item.id } };
  });
}

export { HubError } from "./hub/download.js";
export { defaultCacheDir, HUB_DEFAULTS, type HubSource, hubEndpoint } from "./hub/hub.js";
export { sampleItems } from "./sample.js";
export type { TableFormat } from "./table.js";
export { finalNumber, formatMmlu, GSM8K_INSTRUCTION, MMLU_INSTRUCTION } from "./tasks/controls.js";
export { splitPivotal } from "./tasks/disinfo.js";
export { rewriteMedqa } from "./tasks/medqa-rewrite.js";
