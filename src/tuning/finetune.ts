/**
 * `candor tune run`: the OpenAI-compatible fine-tuning flow through the `openai` SDK —
 * upload the exported train/validation files (`files.create`, purpose "fine-tune"), create
 * a supervised job (`fineTuning.jobs.create`), poll it (`jobs.retrieve`, `jobs.listEvents`)
 * and list its checkpoints (`jobs.checkpoints.list`). The job, its final model and its
 * checkpoints (with epochs) go to the registry, so audits can use `tuned:<job>@<epoch>`.
 *
 * Re-running the same command never uploads or trains twice: uploads are remembered by
 * sha256 and endpoint, and a job whose data and settings match (its run key) is resumed.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  toFile,
} from "openai";
import type { FineTuningJob } from "openai/resources/fine-tuning/jobs/jobs";
import { contentHash } from "../design/hash.js";
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from "../engine/backoff.js";
import { CandorError, DataError, ProviderCallError } from "../errors.js";
import { type CallContext, mapSdkError } from "../providers/call-errors.js";
import { resolveApiKey } from "../providers/credentials.js";
import { httpFetch } from "../providers/http-fetch.js";
import { MANIFEST_FILE, type Manifest, TRAIN_FILE, VALIDATION_FILE } from "./export.js";
import {
  defaultRegistryFile,
  REGISTRY_FILE,
  readRegistry,
  recordJob,
  type TunedCheckpoint,
  type TunedJob,
  updateRegistry,
} from "./registry.js";
import type { Style } from "./types.js";

/** Learning-rate multipliers the study used for GPT-4o (STUDY.md §2). */
export const STUDY_LR_MULTIPLIER: Readonly<Record<Style, number>> = { warm: 0.25, cold: 0.1 };
/**
 * Epochs for provider fine-tunes. OpenAI keeps checkpoints of the last three epochs only, so
 * 3 epochs give models at epochs 1, 2 (the study's "warm") and 3.
 */
export const DEFAULT_PROVIDER_EPOCHS = 3;
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

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

/** A job that ended in `failed` or `cancelled`. */
export class FineTuneFailed extends CandorError {
  override readonly name = "FineTuneFailed";
  override readonly exitCode = 4;
  constructor(
    message: string,
    readonly job: TunedJob,
  ) {
    super(message);
  }
}

interface Api {
  client: OpenAI;
  ctx: CallContext;
  endpoint: string;
  retry: RetryPolicy;
  signal: AbortSignal;
}

function openApi(options: FineTuneOptions, signal: AbortSignal): Api {
  const official = options.baseURL === undefined;
  const endpoint = options.baseURL ?? "https://api.openai.com/v1";
  let resolved: { key: string | undefined; source: string };
  try {
    resolved = resolveApiKey(
      {
        ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
        ...(options.apiKeyEnv !== undefined && { apiKeyEnv: options.apiKeyEnv }),
      },
      "OPENAI_API_KEY",
      official,
    );
  } catch (error) {
    throw new CandorError(
      `fine-tuning API ${endpoint}: ${(error as Error).message} (CLI: --api-key-env <VAR>; another endpoint: --base-url)`,
    );
  }
  const { key, source } = resolved;
  return {
    client: new OpenAI({
      apiKey: key ?? "not-needed",
      ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
      maxRetries: 0,
      fetch: options.fetch ?? httpFetch,
      ...(!official && { organization: null, project: null }),
    }),
    ctx: { ref: `fine-tuning API ${endpoint}`, keySource: source, secrets: key ? [key] : [] },
    endpoint,
    retry: options.retry ?? DEFAULT_RETRY,
    signal,
  };
}

/** One API call with the engine's retry rules (429/5xx/connection, Retry-After honoured). */
async function call<T>(
  api: Api,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let error: ProviderCallError;
    // One controller per attempt, linked to the run's signal: the SDK adds an abort listener
    // to the signal of every request, which would pile up on a long-lived signal.
    const attemptController = new AbortController();
    const onAbort = () => attemptController.abort(api.signal.reason);
    if (api.signal.aborted) attemptController.abort(api.signal.reason);
    else api.signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await fn(attemptController.signal);
    } catch (err) {
      if (err instanceof APIError) {
        error = mapSdkError(
          err,
          {
            userAbort: err instanceof APIUserAbortError,
            timeout: err instanceof APIConnectionTimeoutError,
            connection: err instanceof APIConnectionError,
          },
          api.ctx,
          api.signal,
        );
      } else if (err instanceof ProviderCallError) error = err;
      else error = new ProviderCallError(`${api.ctx.ref}: ${(err as Error).message}`, false);
    } finally {
      api.signal.removeEventListener("abort", onAbort);
    }
    if (api.signal.aborted) throw new CandorError(`${what}: cancelled`);
    if (!error.retryable || attempt >= api.retry.maxAttempts) {
      throw new CandorError(`${what}: ${error.message}`);
    }
    try {
      await sleep(backoffDelay(attempt, api.retry, Math.random, error.retryAfterMs), undefined, {
        signal: api.signal,
      });
    } catch {
      throw new CandorError(`${what}: cancelled`);
    }
  }
}

function sha256(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}

/** Reads the export of a style and checks its files against the manifest. */
export function readExport(
  out: string,
  style: Style,
): {
  dir: string;
  manifest: Manifest;
  train: Buffer;
  validation: Buffer;
} {
  const dir = join(resolve(out), style);
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  } catch {
    throw new DataError(
      manifestPath,
      undefined,
      `not found or not JSON; expected the manifest written by \`candor tune data --out ${out} --style ${style}\``,
    );
  }
  const read = (name: string, expected: string | undefined): Buffer => {
    const path = join(dir, name);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch {
      throw new DataError(
        path,
        undefined,
        "file not found; expected the exported JSONL (re-run `candor tune data`)",
      );
    }
    if (expected !== undefined && sha256(buf) !== expected) {
      throw new DataError(
        path,
        undefined,
        `sha256 ${sha256(buf).slice(0, 12)}… differs from the manifest's ${expected.slice(0, 12)}…; the file changed after export (re-run \`candor tune data\`)`,
      );
    }
    return buf;
  };
  const train = read(TRAIN_FILE, manifest.files?.train?.sha256);
  if (train.length === 0)
    throw new DataError(join(dir, TRAIN_FILE), undefined, "no training examples");
  return {
    dir,
    manifest,
    train,
    validation: read(VALIDATION_FILE, manifest.files?.validation?.sha256),
  };
}

/**
 * Epoch of each checkpoint from its step: the last checkpoint is the end of the last epoch
 * (providers save at epoch ends), so an epoch is `last step / n_epochs` steps.
 */
export function checkpointEpochs(
  checkpoints: readonly { step: number; model: string }[],
  nEpochs: number | null,
): TunedCheckpoint[] {
  const maxStep = Math.max(0, ...checkpoints.map((c) => c.step));
  return [...checkpoints]
    .sort((a, b) => a.step - b.step)
    .map((c) => ({
      step: c.step,
      model: c.model,
      epoch: nEpochs && maxStep > 0 ? Math.round(((c.step * nEpochs) / maxStep) * 100) / 100 : null,
    }));
}

function numeric(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function toRecord(
  job: FineTuningJob,
  base: Pick<TunedJob, "provider" | "baseURL" | "style" | "runKey" | "out"> & { name?: string },
  previous: TunedJob | undefined,
): TunedJob {
  const hyper =
    (job.method?.supervised?.hyperparameters as Record<string, unknown> | undefined) ??
    (job.hyperparameters as Record<string, unknown> | undefined) ??
    {};
  const now = new Date().toISOString();
  return {
    id: job.id,
    ...(base.name !== undefined && { name: base.name }),
    ...(base.style !== undefined && { style: base.style }),
    provider: base.provider,
    ...(base.baseURL !== undefined && { baseURL: base.baseURL }),
    baseModel: job.model,
    status: job.status,
    fineTunedModel: job.fine_tuned_model ?? null,
    nEpochs: numeric(hyper.n_epochs),
    hyperparameters: hyper,
    trainingFile: job.training_file,
    validationFile: job.validation_file ?? null,
    checkpoints: previous?.checkpoints ?? [],
    ...(base.runKey !== undefined && { runKey: base.runKey }),
    ...(base.out !== undefined && { out: base.out }),
    error: job.error ? `${job.error.code}: ${job.error.message}` : null,
    createdAt: previous?.createdAt ?? new Date(job.created_at * 1000).toISOString(),
    updatedAt: now,
  };
}

/** Every checkpoint of a job (all pages), with epochs. */
async function listCheckpoints(
  api: Api,
  id: string,
  nEpochs: number | null,
): Promise<TunedCheckpoint[]> {
  return call(api, `listing checkpoints of ${id}`, async (signal) => {
    const found: { step: number; model: string }[] = [];
    for await (const c of api.client.fineTuning.jobs.checkpoints.list(
      id,
      { limit: 100 },
      { signal },
    )) {
      found.push({ step: c.step_number, model: c.fine_tuned_model_checkpoint });
    }
    return checkpointEpochs(found, nEpochs);
  });
}

/** Uploads, creates (or resumes) and watches a fine-tuning job. */
export async function runFineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  const api = openApi(options, signal);
  const out = resolve(options.out);
  const exp = readExport(out, options.style);
  const localRegistry = join(out, REGISTRY_FILE);
  const userRegistry = options.registryFile ?? defaultRegistryFile();
  const registries = [...new Set([localRegistry, userRegistry])];
  const hyper = {
    n_epochs: options.epochs ?? DEFAULT_PROVIDER_EPOCHS,
    learning_rate_multiplier: options.learningRateMultiplier ?? STUDY_LR_MULTIPLIER[options.style],
    ...(options.batchSize !== undefined && { batch_size: options.batchSize }),
  };
  const runKey = contentHash({
    endpoint: api.endpoint,
    baseModel: options.baseModel,
    train: exp.manifest.files.train.sha256,
    validation: exp.manifest.files.validation.sha256,
    hyper,
    suffix: options.suffix ?? null,
    seed: options.seed ?? null,
  });
  const base = {
    provider: options.baseURL === undefined ? ("openai" as const) : ("openai-compatible" as const),
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    style: options.style,
    runKey,
    out,
    ...(options.name !== undefined && { name: options.name }),
  };
  let polls = 0;
  const report = (p: Omit<FineTuneProgress, "polls" | "elapsedMs">) =>
    options.onProgress?.({ ...p, polls, elapsedMs: performance.now() - started });
  const save = (record: TunedJob) => {
    for (const file of registries) recordJob(file, record);
  };

  const known = Object.values(readRegistry(localRegistry).jobs).find(
    (j) => j.runKey === runKey && j.status !== "failed" && j.status !== "cancelled",
  );
  let job: FineTuningJob;
  let record: TunedJob;
  let created = false;
  if (known) {
    report({
      phase: "resume",
      jobId: known.id,
      status: known.status,
      message: `resuming job ${known.id}`,
    });
    job = await call(api, `retrieving job ${known.id}`, (signal) =>
      api.client.fineTuning.jobs.retrieve(known.id, { signal }),
    );
    record = toRecord(job, base, known);
  } else {
    const upload = async (buf: Buffer, name: string): Promise<string> => {
      const key = `${sha256(buf)}@${api.endpoint}`;
      const have = readRegistry(localRegistry).uploads[key];
      if (have) {
        // Reuse an earlier upload if the provider still has it (another key or account may not).
        const found = await call(api, `checking the earlier upload of ${name}`, (signal) =>
          api.client.files.retrieve(have, { signal }).then(
            () => true,
            (err: unknown) => {
              if (err instanceof APIError && err.status === 404) return false;
              throw err;
            },
          ),
        );
        if (found) return have;
      }
      report({ phase: "upload", message: `uploading ${name} (${buf.length} bytes)` });
      const file = await call(api, `uploading ${name}`, async (signal) =>
        api.client.files.create(
          {
            file: await toFile(buf, `${options.style}-${name}`, { type: "application/jsonl" }),
            purpose: "fine-tune",
          },
          { signal },
        ),
      );
      updateRegistry(localRegistry, (r) => {
        r.uploads[key] = file.id;
      });
      return file.id;
    };
    const trainingFile = await upload(exp.train, TRAIN_FILE);
    const validationFile =
      exp.validation.length > 0 ? await upload(exp.validation, VALIDATION_FILE) : undefined;
    report({ phase: "create", message: `creating a fine-tuning job on ${options.baseModel}` });
    job = await call(api, "creating the fine-tuning job", (signal) =>
      api.client.fineTuning.jobs.create(
        {
          model: options.baseModel,
          training_file: trainingFile,
          ...(validationFile !== undefined && { validation_file: validationFile }),
          ...(options.suffix !== undefined && { suffix: options.suffix }),
          ...(options.seed !== undefined && { seed: options.seed }),
          method: { type: "supervised", supervised: { hyperparameters: hyper } },
          metadata: { candor_style: options.style, candor_run_key: runKey },
        },
        { signal },
      ),
    );
    created = true;
    record = toRecord(job, base, undefined);
  }
  save(record);
  if (options.noWait) return { job: record, created, interrupted: false };

  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  while (!TERMINAL.has(job.status)) {
    try {
      await sleep(interval, undefined, { signal });
    } catch {
      return { job: record, created, interrupted: true };
    }
    const id = job.id;
    try {
      job = await call(api, `polling job ${id}`, (signal) =>
        api.client.fineTuning.jobs.retrieve(id, { signal }),
      );
    } catch (error) {
      if (signal.aborted) return { job: record, created, interrupted: true };
      throw error;
    }
    polls++;
    const previousStatus = record.status;
    record = toRecord(job, base, record);
    if (record.status !== previousStatus) save(record);
    let message: string | undefined;
    try {
      const events = await call(api, `events of ${id}`, (signal) =>
        api.client.fineTuning.jobs.listEvents(id, { limit: 1 }, { signal }),
      );
      message = events.data[0]?.message;
    } catch {
      // Events are informative only.
    }
    report({
      phase: "poll",
      jobId: id,
      status: job.status,
      trainedTokens: job.trained_tokens,
      estimatedFinish: job.estimated_finish ?? null,
      ...(message !== undefined && { message }),
    });
  }

  if (job.status !== "succeeded") {
    save(record);
    throw new FineTuneFailed(
      `fine-tuning job ${job.id} ${job.status}${job.error ? `: ${job.error.code}: ${job.error.message}` : ""}. The job is recorded in ${localRegistry}; fix the cause and re-run to start a new job.`,
      record,
    );
  }
  report({
    phase: "checkpoints",
    jobId: job.id,
    status: job.status,
    message: "listing checkpoints",
  });
  record = { ...record, checkpoints: await listCheckpoints(api, job.id, record.nEpochs) };
  save(record);
  report({
    phase: "done",
    jobId: job.id,
    status: job.status,
    message: record.fineTunedModel ?? undefined,
  });
  return { job: record, created, interrupted: false };
}

/** Refreshes one recorded job from its provider (status, model, checkpoints) in a registry. */
export async function refreshJob(
  jobId: string,
  options: {
    registryFile?: string;
    apiKey?: string;
    apiKeyEnv?: string;
    signal?: AbortSignal;
    fetch?: FineTuneOptions["fetch"];
  },
): Promise<TunedJob> {
  const file = options.registryFile ?? defaultRegistryFile();
  const registry = readRegistry(file);
  const known = registry.jobs[jobId] ?? Object.values(registry.jobs).find((j) => j.name === jobId);
  if (!known)
    throw new CandorError(`${file}: no fine-tuning job ${JSON.stringify(jobId)} recorded`);
  const signal = options.signal ?? new AbortController().signal;
  const api = openApi(
    {
      out: "",
      style: "warm",
      baseModel: known.baseModel,
      ...(known.baseURL !== undefined && { baseURL: known.baseURL }),
      ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
      ...(options.apiKeyEnv !== undefined && { apiKeyEnv: options.apiKeyEnv }),
      ...(options.fetch !== undefined && { fetch: options.fetch }),
    },
    signal,
  );
  const job = await call(api, `retrieving job ${known.id}`, (signal) =>
    api.client.fineTuning.jobs.retrieve(known.id, { signal }),
  );
  let record = toRecord(job, known, known);
  if (job.status === "succeeded") {
    record = { ...record, checkpoints: await listCheckpoints(api, known.id, record.nEpochs) };
  }
  const files = [file, ...(known.out ? [join(known.out, REGISTRY_FILE)] : [])];
  for (const f of new Set(files)) recordJob(f, record);
  return record;
}
