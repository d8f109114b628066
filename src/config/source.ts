import { dirname, join, resolve } from "node:path";
import { loadAuditConfig, parseAuditConfigObject } from "./load.js";
import type { AuditConfig, AuditConfigInput } from "./schema.js";

/** An audit file's path, or the same content as an object (library use). */
export type ConfigSource = string | AuditConfigInput;

export interface ResolvedConfig {
  config: AuditConfig;
  /** The file path, or a label for an object ("config object"), for messages. */
  file: string;
  /** Relative paths in the config (output, datasets, cache) resolve against this. */
  baseDir: string;
}

/**
 * A path is read and validated like `candor audit` does; an object is validated the same
 * way, its relative paths resolved against `baseDir` (default: the working directory).
 */
export function resolveConfigSource(source: ConfigSource, baseDir?: string): ResolvedConfig {
  if (typeof source === "string") {
    return {
      config: loadAuditConfig(source),
      file: source,
      baseDir: baseDir ?? dirname(resolve(source)),
    };
  }
  return {
    config: parseAuditConfigObject(source),
    file: "config object",
    baseDir: resolve(baseDir ?? process.cwd()),
  };
}

/** The run directory an audit config writes to (`output`, default runs/<name>). */
export function runDirOfConfig(source: ConfigSource, baseDir?: string): string {
  const r = resolveConfigSource(source, baseDir);
  return resolve(r.baseDir, r.config.output ?? join("runs", r.config.name));
}
