/**
 * `candor lock <config>`: the exact bytes an audit reads, written to `<config>.lock.json`
 * beside the config — every dataset file (local path or hub URL, hub commit, sha256, bytes)
 * and every local model file (`llama:./x.gguf`, `llama:hf:…`: sha256, bytes, hub URL and
 * commit). Later `plan` and `audit` runs of that config check what they load against it and
 * stop, naming the file and both hashes, when anything changed.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import type { AuditConfig } from "../config/schema.js";
import { CandorError } from "../errors.js";
import { resolveHfModel } from "../providers/hf-download.js";
import { type ModelProvenance, modelProvenance } from "../providers/model-provenance.js";
import { parseModelRef } from "../providers/model-ref.js";
import type { DatasetRecord, LoadedAudit } from "./loaded-audit.js";

export const LOCK_SUFFIX = ".lock.json";
export const lockFileFor = (configFile: string) => `${resolve(configFile)}${LOCK_SUFFIX}`;

const fileSchema = z.object({
  path: z.string().optional(),
  url: z.string().optional(),
  commit: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number(),
});

export const lockSchema = z.object({
  version: z.literal(1),
  created_at: z.string(),
  datasets: z.array(z.object({ task: z.string(), files: z.array(fileSchema) })),
  models: z.array(fileSchema.extend({ ref: z.string() })),
});
export type SourceLock = z.infer<typeof lockSchema>;

/** Every model reference of the audit that names a local model file. */
export function llamaRefs(config: AuditConfig): string[] {
  const refs = [
    ...config.subjects.map((s) => s.model),
    config.judge.model,
    ...(config.distractors ? [config.distractors.model] : []),
  ];
  return [...new Set(refs)].filter((r) => r.startsWith("llama:"));
}

/** Hashes (downloading `llama:hf:` models if needed) every local model file of the audit. */
export async function lockModels(
  config: AuditConfig,
  options: { cacheDir?: string } = {},
): Promise<ModelProvenance[]> {
  const out: ModelProvenance[] = [];
  for (const ref of llamaRefs(config)) {
    const parsed = parseModelRef(ref);
    if (!parsed.ok) throw new CandorError(parsed.reason);
    const r = parsed.ref;
    if (r.scheme === "llama-file") {
      out.push(await modelProvenance(ref, resolve(r.path), { cached: false }));
    } else if (r.scheme === "llama-hf") {
      const cacheDir = options.cacheDir ?? config.providers.llama?.cache_dir;
      const path = await resolveHfModel(r.repo, r.file, cacheDir ? { cacheDir } : {});
      out.push(await modelProvenance(ref, path, { cached: true }));
    }
  }
  return out;
}

/** The lock for a prepared audit (datasets from its load record, models hashed now). */
export function buildLock(loaded: LoadedAudit, models: readonly ModelProvenance[]): SourceLock {
  const baseDir = dirname(resolve(loaded.configFile));
  return {
    version: 1,
    created_at: new Date().toISOString(),
    datasets: loaded.datasets.map((d) => ({
      task: d.task,
      files: d.files.map((f) => ({
        ...(f.path !== undefined && { path: relativePath(baseDir, f.path) }),
        ...(f.url !== undefined && { url: f.url }),
        ...(f.repoCommit !== undefined && { commit: f.repoCommit }),
        sha256: f.sha256,
        bytes: f.bytes,
      })),
    })),
    models: models.map((m) => ({
      ref: m.ref,
      ...(m.url !== undefined && { url: m.url }),
      ...(m.commit !== undefined && { commit: m.commit }),
      sha256: m.sha256,
      bytes: m.bytes,
    })),
  };
}

export function writeLock(configFile: string, lock: SourceLock): string {
  const file = lockFileFor(configFile);
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  return file;
}

/** The config's lock file, if it has one. */
export function readLock(configFile: string): { file: string; lock: SourceLock } | undefined {
  const file = lockFileFor(configFile);
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CandorError(
      `${file}: not JSON (${(err as Error).message}); expected a candor lock file (run candor lock again)`,
    );
  }
  const parsed = lockSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CandorError(
      `${file}: ${issue.path.join(".") || "(top level)"}: ${issue.message}; expected a candor lock file (run candor lock again)`,
    );
  }
  return { file, lock: parsed.data };
}

const changed = (lockFile: string, what: string, locked: string, now: string) =>
  new CandorError(
    `${lockFile}: ${what} changed: sha256 ${now} now, ${locked} in the lock file. ` +
      "Nothing was run. Restore the locked data, or run candor lock again to accept the new bytes.",
  );

/** Checks the datasets an audit loaded against its lock file. */
export function verifyDatasets(
  lockFile: string,
  lock: SourceLock,
  datasets: readonly DatasetRecord[],
): void {
  for (const d of datasets) {
    const locked = lock.datasets.find((l) => l.task === d.task);
    if (!locked) {
      throw new CandorError(
        `${lockFile}: task ${d.task} is not in the lock file; run candor lock again`,
      );
    }
    if (locked.files.length !== d.files.length) {
      throw new CandorError(
        `${lockFile}: task ${d.task} now reads ${d.files.length} files, the lock file lists ${locked.files.length}; run candor lock again`,
      );
    }
    d.files.forEach((f, i) => {
      const l = locked.files[i]!;
      if (l.sha256 !== f.sha256)
        throw changed(
          lockFile,
          `task ${d.task}: ${f.path ?? f.url ?? l.path ?? l.url}`,
          l.sha256,
          f.sha256,
        );
    });
  }
}

/** Checks the model files an audit loaded against its lock file. */
export function verifyModels(
  lockFile: string,
  lock: SourceLock,
  models: readonly ModelProvenance[],
): void {
  for (const m of models) {
    const locked = lock.models.find((l) => l.ref === m.ref);
    if (!locked)
      throw new CandorError(
        `${lockFile}: model ${m.ref} is not in the lock file; run candor lock again`,
      );
    if (locked.sha256 !== m.sha256)
      throw changed(lockFile, `model ${m.ref} (${m.path})`, locked.sha256, m.sha256);
  }
}

function relativePath(baseDir: string, path: string): string {
  const rel = relative(baseDir, path);
  return rel === "" || isAbsolute(rel) ? path : rel;
}
