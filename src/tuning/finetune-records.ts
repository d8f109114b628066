/**
 * Registry records of provider fine-tuning jobs: a job as the provider reports it,
 * turned into a `TunedJob`, and its checkpoints with epochs.
 */

import type { FineTuningJob } from "openai/resources/fine-tuning/jobs/jobs";
import { type Api, call } from "./finetune-api.js";
import type { TunedCheckpoint, TunedJob } from "./registry.js";

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

export function toRecord(
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
export async function listCheckpoints(
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
