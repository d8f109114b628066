/** Options, progress and result of `runFineTune` (see finetune.ts). */

import type { RetryPolicy } from "../engine/backoff.js";
import type { TunedJob } from "./registry.js";
import type { Style } from "./types.js";

export interface FineTuneProgress {
  phase: "upload" | "create" | "resume" | "poll" | "checkpoints" | "done";
  jobId?: string;
  status?: string;
  polls: number;
  elapsedMs: number;
  trainedTokens?: number | null;
  estimatedFinish?: number | null;
  /** The newest event message from the provider, or what candor is doing. */
  message?: string;
}

export interface FineTuneOptions {
  /** The tune output directory (`candor tune data --out`). */
  out: string;
  style: Style;
  /** Provider model to fine-tune, e.g. gpt-4o-2024-08-06. */
  baseModel: string;
  epochs?: number;
  /** Default: the study's 0.25 (warm) or 0.1 (cold). */
  learningRateMultiplier?: number;
  batchSize?: number;
  suffix?: string;
  seed?: number;
  /** A name for `tuned:<name>@<epoch>` references. */
  name?: string;
  /** An OpenAI-compatible endpoint with the files and fine_tuning APIs (default: OpenAI). */
  baseURL?: string;
  apiKey?: string;
  apiKeyEnv?: string;
  pollIntervalMs?: number;
  /** Return right after creating (or finding) the job instead of polling. */
  noWait?: boolean;
  /** The user's registry (default: `defaultRegistryFile()`). */
  registryFile?: string;
  signal?: AbortSignal;
  onProgress?: (p: FineTuneProgress) => void;
  retry?: RetryPolicy;
  /** Transport override (tests, proxies). */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

export interface FineTuneResult {
  job: TunedJob;
  /** True when this call created the job (false: resumed an earlier one). */
  created: boolean;
  /** Ctrl+C while polling: the job goes on at the provider; re-run to keep watching. */
  interrupted: boolean;
}
