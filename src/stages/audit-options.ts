import type { BatchCounters } from "../batch/counters.js";
import type { AuditProgress } from "../engine/counters.js";
import type { ProviderFactory } from "../engine/endpoint.js";
import type { ProviderOptions } from "../providers/types.js";
import type { BeliefLabel, ContextLabel } from "../types.js";
import type { LoadedAudit } from "./loaded-audit.js";
import type { PreflightResult } from "./preflight.js";

export interface AuditOptions {
  /** Relative paths of a config object resolve against this (default: the working directory). */
  baseDir?: string;
  signal?: AbortSignal;
  contexts?: readonly ContextLabel[];
  beliefs?: readonly BeliefLabel[];
  progress?: AuditProgress;
  /** Overrides provider construction (tests use the real factory; embedders may wrap it). */
  providerFactory?: ProviderFactory;
  providerOptions?: Partial<ProviderOptions>;
  onPrepared?: (loaded: LoadedAudit) => void;
  /** Called once models are ready (downloaded, loaded), right before generation starts. */
  onStart?: () => void;
  /** Called with the preflight's findings (only when the run had work left to do). */
  onPreflight?: (results: readonly PreflightResult[]) => void;
  /** Batch API progress (models marked `batch:`); the CLI draws it. */
  batchProgress?: BatchCounters;
}
