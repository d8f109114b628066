/**
 * The registry of fine-tuned models: a JSON file recording each fine-tuning job, its
 * final model and its checkpoints, so an audit can name a tuned model as a subject:
 *
 *   tuned:<job id or name>            the final model
 *   tuned:<job id or name>@<epoch>    the checkpoint at that epoch (e.g. @2, the study's "warm")
 *   tuned:<job id or name>@final      the final model
 *
 * `candor tune run` writes the job to the user's registry
 * ($CANDOR_CONFIG_DIR, else $XDG_CONFIG_HOME/candor, else ~/.config/candor:
 * `tuned-models.json`) and to `<tune output>/tuned-models.json`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { ProviderConfigError } from "../errors.js";

export const REGISTRY_FILE = "tuned-models.json";

const checkpointSchema = z.object({
  /** Epoch the checkpoint was taken at (null when the provider's steps do not say). */
  epoch: z.number().nullable(),
  step: z.number(),
  model: z.string(),
});

const jobSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  style: z.string().optional(),
  /** "openai" for api.openai.com, else the OpenAI-compatible base URL the job ran on. */
  provider: z.enum(["openai", "openai-compatible"]),
  baseURL: z.string().optional(),
  baseModel: z.string(),
  status: z.string(),
  fineTunedModel: z.string().nullable(),
  nEpochs: z.number().nullable(),
  hyperparameters: z.record(z.string(), z.unknown()),
  trainingFile: z.string(),
  validationFile: z.string().nullable(),
  checkpoints: z.array(checkpointSchema),
  /** Hash of the data and settings: the same `tune run` resumes this job instead of starting another. */
  runKey: z.string().optional(),
  /** The tune output directory the data came from. */
  out: z.string().optional(),
  error: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type TunedJob = z.infer<typeof jobSchema>;
export type TunedCheckpoint = z.infer<typeof checkpointSchema>;

const registrySchema = z.object({
  version: z.literal(1),
  jobs: z.record(z.string(), jobSchema),
  /** Uploaded training files by sha256 and endpoint, so a re-run does not upload again. */
  uploads: z.record(z.string(), z.string()).default({}),
});

export type Registry = z.infer<typeof registrySchema>;

/** The user's registry file. */
export function defaultRegistryFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.CANDOR_CONFIG_DIR
    ? resolve(env.CANDOR_CONFIG_DIR)
    : env.XDG_CONFIG_HOME
      ? join(resolve(env.XDG_CONFIG_HOME), "candor")
      : join(homedir(), ".config", "candor");
  return join(dir, REGISTRY_FILE);
}

export function readRegistry(file: string): Registry {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { version: 1, jobs: {}, uploads: {} };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProviderConfigError(
      `${file}: invalid JSON (${(error as Error).message}); expected a candor tuned-models registry`,
    );
  }
  const parsed = registrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderConfigError(
      `${file} (${issue?.path.join(".") || "top level"}): ${issue?.message ?? "invalid"}; expected a candor tuned-models registry (version 1)`,
    );
  }
  return parsed.data;
}

/** Read-modify-write with an atomic rename. */
export function updateRegistry(file: string, change: (r: Registry) => void): Registry {
  const registry = readRegistry(file);
  change(registry);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(registry, null, 2)}\n`);
  renameSync(tmp, file);
  return registry;
}

/** Records (or replaces) a job in a registry; a name moves to the newest job that claims it. */
export function recordJob(file: string, job: TunedJob): void {
  updateRegistry(file, (r) => {
    if (job.name !== undefined) {
      for (const other of Object.values(r.jobs)) {
        if (other.id !== job.id && other.name === job.name) delete other.name;
      }
    }
    r.jobs[job.id] = job;
  });
}

/** The candor model reference for a model id served where the job ran. */
export function modelRefFor(job: Pick<TunedJob, "provider" | "baseURL">, model: string): string {
  return job.provider === "openai"
    ? `openai:${model}`
    : `openai-compatible:${job.baseURL}#${model}`;
}

/** Every reference a job offers: `@final` and one per checkpoint epoch. */
export function jobRefs(job: TunedJob): { ref: string; epoch: number | "final"; model: string }[] {
  const out: { ref: string; epoch: number | "final"; model: string }[] = [];
  const label = job.name ?? job.id;
  if (job.fineTunedModel) {
    out.push({
      ref: `tuned:${label}@final`,
      epoch: "final",
      model: modelRefFor(job, job.fineTunedModel),
    });
  }
  for (const c of [...job.checkpoints].sort((a, b) => a.step - b.step)) {
    if (c.epoch !== null)
      out.push({
        ref: `tuned:${label}@${c.epoch}`,
        epoch: c.epoch,
        model: modelRefFor(job, c.model),
      });
  }
  return out;
}

function findJob(registry: Registry, name: string): TunedJob | undefined {
  return registry.jobs[name] ?? Object.values(registry.jobs).find((j) => j.name === name);
}

/**
 * Maps `tuned:<job>[@<epoch>|@final]` to the recorded model reference
 * (`openai:<model id>` or `openai-compatible:<base URL>#<model id>`); any other reference
 * is returned unchanged. Throws ProviderConfigError naming the registry and what exists.
 */
export function resolveTunedRef(ref: string, registryFile: string = defaultRegistryFile()): string {
  const trimmed = ref.trim();
  if (!trimmed.startsWith("tuned:")) return ref;
  const m = /^tuned:([^@\s]+)(?:@([^@\s]+))?$/.exec(trimmed);
  if (!m) {
    throw new ProviderConfigError(
      `expected tuned:<job id or name>[@<epoch>|@final], e.g. tuned:ftjob-abc123@2, got ${JSON.stringify(ref)}`,
    );
  }
  const [, name, at] = m as unknown as [string, string, string | undefined];
  const registry = readRegistry(registryFile);
  const job = findJob(registry, name);
  if (!job) {
    const known = Object.values(registry.jobs)
      .map((j) => j.name ?? j.id)
      .slice(0, 10);
    throw new ProviderConfigError(
      `${registryFile}: no fine-tuning job ${JSON.stringify(name)}${known.length > 0 ? ` (known: ${known.join(", ")})` : " (the registry is empty)"}; run \`candor tune run\` first, or point to the tune output's ${REGISTRY_FILE}`,
    );
  }
  const offered = jobRefs(job)
    .map((r) => (r.epoch === "final" ? "@final" : `@${r.epoch}`))
    .join(", ");
  if (at === undefined || at === "final") {
    if (!job.fineTunedModel) {
      throw new ProviderConfigError(
        `${registryFile}: job ${job.id} has no final model yet (status ${job.status}); wait for it (candor tune status ${job.id})${offered ? ` or use ${offered}` : ""}`,
      );
    }
    return modelRefFor(job, job.fineTunedModel);
  }
  const epoch = Number(at);
  if (!Number.isFinite(epoch)) {
    throw new ProviderConfigError(
      `expected an epoch number or "final" after "@" in ${JSON.stringify(ref)}${offered ? ` (job ${job.id} offers ${offered})` : ""}`,
    );
  }
  // The last epoch is the final model itself.
  if (job.nEpochs !== null && epoch === job.nEpochs && job.fineTunedModel) {
    return modelRefFor(job, job.fineTunedModel);
  }
  const checkpoint = job.checkpoints.find(
    (c) => c.epoch !== null && Math.abs(c.epoch - epoch) < 1e-6,
  );
  if (!checkpoint) {
    throw new ProviderConfigError(
      `${registryFile}: job ${job.id} has no checkpoint at epoch ${at}; it offers ${offered || "none yet"}`,
    );
  }
  return modelRefFor(job, checkpoint.model);
}
