/**
 * Which model bytes a run loaded: sha256 and size of the GGUF file, and for `llama:hf:`
 * downloads the hub commit they were served from. Downloads write a `<file>.candor-meta.json`
 * beside the cached model (url, commit, sha256, bytes, mtime); a cached file whose size or
 * mtime no longer matches is hashed again. A local `llama:./x.gguf` is hashed on every load:
 * nothing is written next to a user's own file.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { EngineSettings } from "./llama-calibrate.js";

export interface ModelProvenance {
  /** The model reference as written in the config. */
  ref: string;
  path: string;
  sha256: string;
  bytes: number;
  /** Hub URL and commit (X-Repo-Commit) for downloaded models, when the hub said. */
  url?: string;
  commit?: string;
  /** Embedded engine settings the run used (threads, sequences, their calibration). */
  engine?: EngineSettings;
}

const sidecarSchema = z.object({
  url: z.string().optional(),
  commit: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number(),
  mtimeMs: z.number(),
});

export const sidecarPath = (path: string) => `${path}.candor-meta.json`;

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Records a finished download (called by hf-download once the file is in place). */
export async function writeModelSidecar(
  path: string,
  info: { url?: string; commit?: string; sha256: string },
): Promise<void> {
  const s = await stat(path);
  await writeFile(
    sidecarPath(path),
    `${JSON.stringify({ ...info, bytes: s.size, mtimeMs: s.mtimeMs }, null, 2)}\n`,
  );
}

/** The provenance of a model file, from its sidecar when still valid, else by hashing it. */
export async function modelProvenance(
  ref: string,
  path: string,
  options: { cached: boolean },
): Promise<ModelProvenance> {
  const s = await stat(path);
  if (options.cached) {
    try {
      const meta = sidecarSchema.parse(JSON.parse(await readFile(sidecarPath(path), "utf8")));
      if (meta.bytes === s.size && meta.mtimeMs === s.mtimeMs) {
        return {
          ref,
          path,
          sha256: meta.sha256,
          bytes: meta.bytes,
          ...(meta.url !== undefined && { url: meta.url }),
          ...(meta.commit !== undefined && { commit: meta.commit }),
        };
      }
    } catch {
      // No sidecar (a download from an older candor) or an unreadable one: hash below.
    }
  }
  const sha256 = await sha256OfFile(path);
  if (options.cached) await writeModelSidecar(path, { sha256 }).catch(() => undefined);
  return { ref, path, sha256, bytes: s.size };
}
