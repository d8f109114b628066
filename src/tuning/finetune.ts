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

import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { FineTuningJob } from "openai/resources/fine-tuning/jobs/jobs";
import { contentHash } from "../design/hash.js";
import { CandorError } from "../errors.js";
import { TRAIN_FILE, VALIDATION_FILE } from "./export.js";
import { call, openApi } from "./finetune-api.js";
import { listCheckpoints, toRecord } from "./finetune-records.js";
import type { FineTuneOptions, FineTuneProgress, FineTuneResult } from "./finetune-types.js";
import { readExport, sha256 } from "./read-export.js";
import {
  defaultRegistryFile,
  REGISTRY_FILE,
  readRegistry,
  recordJob,
  type TunedJob,
  updateRegistry,
} from "./registry.js";
import type { Style } from "./types.js";

export { checkpointEpochs } from "./finetune-records.js";
export type { FineTuneOptions, FineTuneProgress, FineTuneResult } from "./finetune-types.js";
export { readExport } from "./read-export.js";

/** Learning-rate multipliers the study used for GPT-4o (STUDY.md §2). */
export const STUDY_LR_MULTIPLIER: Readonly<Record<Style, number>> = { warm: 0.25, cold: 0.1 };
/**
 * Epochs for provider fine-tunes. OpenAI keeps checkpoints of the last three epochs only, so
 * 3 epochs give models at epochs 1, 2 (the study's "warm") and 3.
 */
export const DEFAULT_PROVIDER_EPOCHS = 3;
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

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

/** Uploads, creates (or resumes) and watches a fine-tuning job. */
export async function runFineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  const api = await openApi(options, signal);
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
              if (err instanceof api.sdk.APIError && err.status === 404) return false;
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
            file: await api.sdk.toFile(buf, `${options.style}-${name}`, {
              type: "application/jsonl",
            }),
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
  const api = await openApi(
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
