/**
 * The gate over a stored run (library `gate()` and `candor gate`): reads the run's
 * summary from its store, merges the thresholds (the run's own `gate:` section, then an
 * audit file's, then explicit ones) and evaluates them.
 */

import { summarizeRun } from "../analysis/run-summary.js";
import type { Summary } from "../analysis/summary.js";
import { type GateConfig, type GateConfigInput, gateSchema } from "../config/gate-schema.js";
import { formatIssues } from "../config/load.js";
import type { AuditConfigInput } from "../config/schema.js";
import { type ConfigSource, resolveConfigSource, runDirOfConfig } from "../config/source.js";
import { CandorError, ConfigError } from "../errors.js";
import { resolveRun } from "../report/run-path.js";
import { readRunConfig } from "../store/run-config.js";
import { RunStore } from "../store/run-store.js";
import { evaluateGate } from "./evaluate.js";
import type { GateResult } from "./types.js";

export interface GateOptions {
  /** Thresholds that override the run's and the audit file's `gate:` sections. */
  thresholds?: GateConfigInput;
  /** Take `gate:` from this audit file (or object) instead of the one stored with the run. */
  config?: ConfigSource;
  /** Relative paths of a config object resolve against this (default: the working directory). */
  baseDir?: string;
}

export interface GateRun {
  /** The run directory. */
  run: string;
  thresholds: GateConfig;
  summary: Summary;
  result: GateResult;
}

function runDirOf(run: string | AuditConfigInput, baseDir?: string): { dir: string; file: string } {
  if (typeof run === "string") return resolveRun(run);
  return resolveRun(runDirOfConfig(run, baseDir));
}

function definedOnly(input: GateConfigInput | undefined): Partial<GateConfigInput> {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined));
}

/** The thresholds in force: later sources override earlier ones field by field. */
export function mergeThresholds(...sources: (GateConfigInput | undefined)[]): GateConfig {
  const merged: GateConfigInput = {};
  for (const s of sources) Object.assign(merged, definedOnly(s));
  const parsed = gateSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(formatIssues(parsed.error.issues, merged, () => "gate: ").join("\n"));
  }
  if (sources.every((s) => Object.keys(definedOnly(s)).length === 0)) {
    throw new ConfigError(
      "gate: no thresholds to check; give --max-gap-pp, --max-cave-increase-pp or --max-unparseable-share, or a `gate:` section in the audit file",
    );
  }
  return parsed.data;
}

/** Gates a stored run: a run directory (or run.sqlite), or the audit config that made it. */
export function gate(run: string | AuditConfigInput, options: GateOptions = {}): GateRun {
  const loc = runDirOf(run, options.baseDir);
  const store = RunStore.open(loc.file, { readonly: true });
  try {
    const stored = readRunConfig(store);
    const fromConfig =
      options.config !== undefined
        ? resolveConfigSource(options.config, options.baseDir).config.gate
        : typeof run === "object"
          ? resolveConfigSource(run, options.baseDir).config.gate
          : stored.gate;
    const thresholds = mergeThresholds(fromConfig, options.thresholds);
    const summary = summarizeRun(store, stored);
    const known = new Set(summary.comparisons.map((c) => c.treatment));
    const unknown = (thresholds.treatments ?? []).filter((t) => !known.has(t));
    if (unknown.length > 0) {
      throw new CandorError(
        `gate: treatment ${unknown.join(", ")} is not compared in ${loc.dir} (compared: ${[...known].join(", ") || "none"})`,
      );
    }
    return { run: loc.dir, thresholds, summary, result: evaluateGate(summary, thresholds) };
  } finally {
    store.close();
  }
}
