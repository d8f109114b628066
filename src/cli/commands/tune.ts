/**
 * `candor tune …`: warm/cold fine-tuning data and fine-tunes (STUDY.md §2).
 *   data    read → clean → label → sample → rewrite → check → export (resumable)
 *   run     OpenAI-compatible fine-tuning: upload, create, poll, checkpoints → registry
 *   status  refresh a recorded job from its provider
 *   list    the registry: jobs and the `tuned:` references they offer
 *   recipe  LoRA configs (TRL, axolotl, unsloth) with the study's hyper-parameters
 * All logic lives in src/tuning; this file parses flags and renders.
 */
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError, Option } from "commander";
import { CandorError } from "../../errors.js";
import { readExport, refreshJob, runFineTune } from "../../tuning/finetune.js";
import { parseHubSpec } from "../../tuning/hub-source.js";
import {
  buildTuneData,
  newTuneProgress,
  type PrepareSummary,
  type TuneDataResult,
  type TuneSource,
} from "../../tuning/pipeline.js";
import { TRAINERS, type Trainer, writeRecipes } from "../../tuning/recipe.js";
import {
  defaultRegistryFile,
  jobRefs,
  readRegistry,
  type TunedJob,
} from "../../tuning/registry.js";
import type { TuneCounters } from "../../tuning/rewrite.js";
import { QUERY_TYPES, STYLES, type Style } from "../../tuning/types.js";

function int(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got '${value}'`);
    }
    return n;
  };
}

function num(name: string, min: number, max = Number.POSITIVE_INFINITY) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${name} must be a number in [${min}, ${max}], got '${value}'`,
      );
    }
    return n;
  };
}

function styles(value: string): Style[] {
  const list = value === "both" ? [...STYLES] : value.split(",").map((s) => s.trim());
  for (const s of list) {
    if (!(STYLES as readonly string[]).includes(s)) {
      throw new InvalidArgumentError(
        `--style must be warm, cold, both or warm,cold; got '${value}'`,
      );
    }
  }
  return [...new Set(list)] as Style[];
}

function oneStyle(value: string): Style {
  if (!(STYLES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--style must be warm or cold, got '${value}'`);
  }
  return value as Style;
}

/** Ctrl+C: first press stops gracefully (in-flight writes finish), second force-quits. */
function interruptible(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let presses = 0;
  const onSignal = () => {
    presses++;
    if (presses === 1) {
      process.stderr.write(
        "\nStopping: finishing in-flight writes… (press Ctrl+C again to force quit)\n",
      );
      controller.abort();
    } else process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function rate(c: TuneCounters): number {
  const seconds = (performance.now() - c.startedAt) / 1000;
  return seconds > 0 ? (c.done - c.resumed) / seconds : 0;
}

function describeCounters(c: TuneCounters): string {
  const t = c.promptTokens + c.completionTokens;
  const tokens =
    t >= 1e6 ? `${(t / 1e6).toFixed(1)}M` : t >= 1e3 ? `${(t / 1e3).toFixed(1)}k` : String(t);
  return `${c.stage.padEnd(8)} ${c.done}/${c.total} · ${rate(c).toFixed(1)}/s · resumed ${c.resumed} · errors ${c.failed} · retries ${c.retries} · tokens ${tokens}`;
}

/** Bars on a terminal, a line every few seconds otherwise; returns a stop function. */
function showCounters(
  counters: TuneCounters[],
  stream: NodeJS.WriteStream = process.stderr,
): () => void {
  if (!stream.isTTY) {
    const timer = setInterval(() => {
      for (const c of counters) stream.write(`${describeCounters(c)}\n`);
    }, 5000);
    timer.unref();
    return () => {
      clearInterval(timer);
      for (const c of counters) stream.write(`${describeCounters(c)}\n`);
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format:
        "{stage} |{bar}| {value}/{total} · {rate}/s · resumed {resumed} · errors {failed} · retries {retries}",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (c: TuneCounters) => ({
    stage: c.stage.padEnd(8),
    rate: rate(c).toFixed(1),
    resumed: c.resumed,
    failed: c.failed,
    retries: c.retries,
  });
  const bars = counters.map((c) => multi.create(Math.max(c.total, 1), c.done, payload(c)));
  const update = () =>
    counters.forEach((c, i) => {
      bars[i]!.setTotal(Math.max(c.total, 1));
      bars[i]!.update(c.done, payload(c));
    });
  const timer = setInterval(update, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    update();
    multi.stop();
  };
}

export function formatPrepared(p: PrepareSummary): string {
  const lines = [
    `read ${p.records} records: ${p.eligible} usable conversations (${p.skipped.length} skipped, ${p.filtered.length} removed by the content filter, ${p.duplicates.length} duplicates, ${p.truncated} cut to the turn limit)`,
    `selected ${p.selected} conversations, ${p.assistantTurns} assistant turns`,
    "  type        usable  selected",
    ...QUERY_TYPES.map(
      (t) =>
        `  ${t.padEnd(10)} ${String(p.types[t].eligible).padStart(7)} ${String(p.types[t].selected).padStart(9)}`,
    ),
    `  labels: ${Object.entries(p.labelSources)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  if (p.unlabelled > 0)
    lines.push(
      `  ${p.unlabelled} conversations could not be labelled by the LLM (counted as "other")`,
    );
  for (const s of p.skipped.slice(0, 5))
    lines.push(`  skipped ${s.file} (${s.where}): ${s.reason}`);
  if (p.skipped.length > 5) lines.push(`  … and ${p.skipped.length - 5} more skipped`);
  return lines.join("\n");
}

function formatExports(result: TuneDataResult): string {
  const lines: string[] = [];
  for (const [style, m] of Object.entries(result.exports)) {
    if (!m) continue;
    const ex = m.excluded;
    lines.push(
      `${style}: ${m.files.train.examples} train / ${m.files.validation.examples} validation conversations (≈${m.files.train.tokensEstimate + m.files.validation.tokensEstimate} tokens) → ${result.out}/${style}/`,
    );
    if (ex.flagged + ex.missingRewrite + ex.unchecked > 0) {
      lines.push(
        `  left out: ${ex.flagged} flagged by the preservation checks, ${ex.missingRewrite} missing a rewrite, ${ex.unchecked} unchecked (see ${style}/manifest.json)`,
      );
    }
    lines.push(`  review sample: ${result.out}/${style}/review.md`);
  }
  return lines.join("\n");
}

interface DataOptions {
  out: string;
  rewriter?: string;
  style: Style[];
  checkModel?: string;
  labelModel?: string;
  conversations?: number;
  seed?: number;
  maxTurns: number;
  dedup: boolean;
  contentFilter?: string;
  format?: "json" | "jsonl" | "parquet";
  turnsField?: string;
  skipInvalid?: boolean;
  hubConfig?: string;
  hubSplit?: string;
  hubFile?: string;
  hubRevision?: string;
  hubSha256?: string;
  concurrency?: number;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  validation: number;
  review: number;
  includeFlagged?: boolean;
  dryRun?: boolean;
}

function registerData(tune: Command): void {
  tune
    .command("data")
    .description(
      "Build warm/cold training data: read, clean, label, sample, rewrite every assistant turn, check, export. Re-run to resume.",
    )
    .argument(
      "<source>",
      "ShareGPT JSON/JSONL, OpenAI chat JSONL, Parquet, or hf:<owner>/<dataset>",
    )
    .requiredOption("--out <dir>", "output directory (tune.sqlite, <style>/train.jsonl …)")
    .option(
      "--rewriter <model>",
      "model reference that rewrites the turns (required unless --dry-run)",
    )
    .option("--style <styles>", "warm, cold, or both", styles, ["warm", "cold"] as Style[])
    .option("--check-model <model>", "also compare claims of original and rewrite with this model")
    .option("--label-model <model>", "label conversations no rule can label with this model")
    .option(
      "-n, --conversations <n>",
      "conversations to sample evenly across query types (default: all)",
      int("-n", 1),
    )
    .option("--seed <n>", "seed for sampling, splitting and the review sample", int("--seed"))
    .option(
      "--max-turns <n>",
      "keep at most this many turns per conversation",
      int("--max-turns", 2),
      20,
    )
    .option("--no-dedup", "keep duplicate conversations")
    .option(
      "--content-filter <nsfw|file>",
      "drop conversations matching the built-in NSFW list or a file of terms",
    )
    .addOption(
      new Option("--format <format>", "file format when the extension does not tell").choices([
        "json",
        "jsonl",
        "parquet",
      ]),
    )
    .option("--turns-field <name>", "field holding the turns (default: messages or conversations)")
    .option("--skip-invalid", "skip malformed conversations (reported) instead of stopping")
    .option("--hub-config <name>", "hub: converted-Parquet config (default: default)")
    .option("--hub-split <name>", "hub: split (default: train)")
    .option("--hub-file <path>", "hub: a file in the dataset repository (e.g. data/train.jsonl)")
    .option("--hub-revision <rev>", "hub: revision (commit, branch or tag)")
    .option("--hub-sha256 <hex>", "hub: expected sha256 of the file")
    .option(
      "--concurrency <n>",
      "max in-flight requests per model (default: the provider's)",
      int("--concurrency", 1),
    )
    .option("--temperature <t>", "rewrite temperature (default 0.3)", num("--temperature", 0, 2))
    .option("--max-tokens <n>", "max tokens per rewrite (default 4096)", int("--max-tokens", 1))
    .option("--timeout-ms <ms>", "per-request timeout", int("--timeout-ms", 1))
    .option(
      "--validation <fraction>",
      "share of conversations held out for validation",
      num("--validation", 0, 0.5),
      0.1,
    )
    .option("--review <n>", "original/rewritten pairs in the review sample", int("--review"), 50)
    .option("--include-flagged", "export conversations whose rewrites failed a check")
    .option("--dry-run", "read, label and sample only; print the selection")
    .action(async (sourceArg: string, opts: DataOptions) => {
      const hubId = parseHubSpec(sourceArg);
      const source: TuneSource =
        hubId !== undefined
          ? {
              hub: {
                id: hubId,
                ...(opts.hubConfig !== undefined && { config: opts.hubConfig }),
                ...(opts.hubSplit !== undefined && { split: opts.hubSplit }),
                ...(opts.hubFile !== undefined && { file: opts.hubFile }),
                ...(opts.hubRevision !== undefined && { revision: opts.hubRevision }),
                ...(opts.hubSha256 !== undefined && { sha256: opts.hubSha256 }),
              },
            }
          : { path: sourceArg };
      const { signal, dispose } = interruptible();
      const progress = newTuneProgress();
      let stop: (() => void) | undefined;
      try {
        const result = await buildTuneData({
          source,
          out: opts.out,
          styles: opts.style,
          maxTurns: opts.maxTurns,
          dedup: opts.dedup,
          validationFraction: opts.validation,
          reviewCount: opts.review,
          ...(opts.rewriter !== undefined && { rewriteModel: opts.rewriter }),
          ...(opts.checkModel !== undefined && { checkModel: opts.checkModel }),
          ...(opts.labelModel !== undefined && { labelModel: opts.labelModel }),
          ...(opts.conversations !== undefined && { n: opts.conversations }),
          ...(opts.seed !== undefined && { seed: opts.seed }),
          ...(opts.contentFilter !== undefined && { contentFilter: opts.contentFilter }),
          ...(opts.format !== undefined && { format: opts.format }),
          ...(opts.turnsField !== undefined && { turnsField: opts.turnsField }),
          ...(opts.skipInvalid && { skipInvalid: true }),
          ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
          ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
          rewriteParams: {
            ...(opts.temperature !== undefined && { temperature: opts.temperature }),
            ...(opts.maxTokens !== undefined && { maxTokens: opts.maxTokens }),
          },
          ...(opts.includeFlagged && { includeFlagged: true }),
          ...(opts.dryRun && { dryRun: true }),
          signal,
          progress,
          onDownloadProgress: ({ file, done, total }) => {
            const pct = total ? ` ${((done / total) * 100).toFixed(0)}%` : "";
            process.stderr.write(`\rdownloading ${file}: ${(done / 1e6).toFixed(1)} MB${pct}   `);
          },
          onPrepared: (prepared) => {
            process.stderr.write(`${formatPrepared(prepared)}\n`);
            if (opts.dryRun) return;
            const shown = [
              ...(opts.labelModel !== undefined ? [progress.label] : []),
              progress.rewrite,
              ...(opts.checkModel !== undefined ? [progress.check] : []),
            ];
            stop = showCounters(shown);
          },
        });
        stop?.();
        stop = undefined;
        if (opts.dryRun) {
          process.stderr.write(`Dry run: nothing rewritten. Selection stored in ${result.store}\n`);
          return;
        }
        if (result.interrupted) {
          process.stderr.write(
            `\nInterrupted. Everything finished so far is saved in ${result.store}.\nResume with the same command.\n`,
          );
          process.exitCode = 130;
          return;
        }
        process.stdout.write(`${formatExports(result)}\n`);
        if (result.failed > 0) {
          process.stderr.write(
            `${result.failed} model calls failed (recorded in ${result.store}); re-run the same command to retry them.\n`,
          );
          process.exitCode = 3;
        }
      } finally {
        stop?.();
        dispose();
      }
    });
}

interface RunOptions {
  out: string;
  style: Style;
  baseModel: string;
  epochs?: number;
  lrMultiplier?: number;
  batchSize?: number;
  suffix?: string;
  seed?: number;
  name?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  pollInterval: number;
  wait: boolean;
  registry?: string;
}

function formatJob(job: TunedJob): string {
  const lines = [
    `${job.id}${job.name ? ` (${job.name})` : ""}: ${job.status}${job.error ? ` — ${job.error}` : ""}`,
    `  base ${job.baseModel}, style ${job.style ?? "?"}, epochs ${job.nEpochs ?? "?"}, lr multiplier ${String(job.hyperparameters.learning_rate_multiplier ?? "?")}`,
  ];
  for (const r of jobRefs(job)) lines.push(`  ${r.ref.padEnd(28)} → ${r.model}`);
  return lines.join("\n");
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function registerRun(tune: Command): void {
  tune
    .command("run")
    .description(
      "Fine-tune through the OpenAI(-compatible) API: upload, create the job, poll, record checkpoints. Re-run to resume.",
    )
    .requiredOption("--out <dir>", "the `tune data` output directory")
    .requiredOption("--base-model <model>", "provider model to fine-tune, e.g. gpt-4o-2024-08-06")
    .option("--style <style>", "which export to train on: warm or cold", oneStyle, "warm" as Style)
    .option(
      "--epochs <n>",
      "training epochs (default 3: OpenAI keeps the last three epochs' checkpoints)",
      int("--epochs", 1),
    )
    .option(
      "--lr-multiplier <x>",
      "learning-rate multiplier (default: the study's 0.25 warm / 0.1 cold)",
      num("--lr-multiplier", 0.0001, 100),
    )
    .option("--batch-size <n>", "batch size (default: the provider's auto)", int("--batch-size", 1))
    .option("--suffix <text>", "suffix for the fine-tuned model name")
    .option("--seed <n>", "job seed", int("--seed"))
    .option("--name <name>", "name for tuned:<name>@<epoch> references")
    .option(
      "--base-url <url>",
      "an OpenAI-compatible endpoint with files and fine_tuning APIs (default: OpenAI)",
    )
    .option(
      "--api-key-env <VAR>",
      "environment variable holding the API key (default OPENAI_API_KEY)",
    )
    .option(
      "--poll-interval <seconds>",
      "seconds between status checks",
      num("--poll-interval", 0.001),
      30,
    )
    .option("--no-wait", "create (or find) the job and return without polling")
    .option("--registry <file>", `registry of tuned models (default ${defaultRegistryFile()})`)
    .action(async (opts: RunOptions) => {
      if (opts.name !== undefined && !/^[A-Za-z0-9][\w.-]*$/.test(opts.name)) {
        throw new CandorError(
          `--name must be letters, digits, '.', '_' or '-', got '${opts.name}'`,
        );
      }
      const { signal, dispose } = interruptible();
      const tty = process.stderr.isTTY;
      let lastLine = "";
      try {
        const result = await runFineTune({
          out: opts.out,
          style: opts.style,
          baseModel: opts.baseModel,
          pollIntervalMs: opts.pollInterval * 1000,
          noWait: !opts.wait,
          signal,
          ...(opts.epochs !== undefined && { epochs: opts.epochs }),
          ...(opts.lrMultiplier !== undefined && { learningRateMultiplier: opts.lrMultiplier }),
          ...(opts.batchSize !== undefined && { batchSize: opts.batchSize }),
          ...(opts.suffix !== undefined && { suffix: opts.suffix }),
          ...(opts.seed !== undefined && { seed: opts.seed }),
          ...(opts.name !== undefined && { name: opts.name }),
          ...(opts.baseUrl !== undefined && { baseURL: opts.baseUrl }),
          ...(opts.apiKeyEnv !== undefined && { apiKeyEnv: opts.apiKeyEnv }),
          ...(opts.registry !== undefined && { registryFile: opts.registry }),
          onProgress: (p) => {
            const line =
              `${p.jobId ?? ""} ${p.status ?? p.phase} · ${p.polls} polls · ${elapsed(p.elapsedMs)}${p.trainedTokens ? ` · ${p.trainedTokens} tokens` : ""}${p.message ? ` · ${p.message}` : ""}`.trim();
            if (tty) process.stderr.write(`\r\x1b[2K${line}`);
            else if (
              line.replace(/ · \d+ polls · \S+/, "") !== lastLine.replace(/ · \d+ polls · \S+/, "")
            ) {
              process.stderr.write(`${line}\n`);
            }
            lastLine = line;
          },
        });
        if (tty) process.stderr.write("\n");
        process.stdout.write(`${formatJob(result.job)}\n`);
        if (result.interrupted) {
          process.stderr.write(
            `\nStopped watching. Job ${result.job.id} continues at the provider; re-run the same command (or \`candor tune status ${result.job.id}\`) to pick it up.\n`,
          );
          process.exitCode = 130;
        } else if (!opts.wait) {
          process.stderr.write(
            `Job ${result.job.id} ${result.created ? "created" : "already exists"}; \`candor tune status ${result.job.id}\` refreshes it.\n`,
          );
        }
      } finally {
        dispose();
      }
    });
}

function registerStatus(tune: Command): void {
  tune
    .command("status")
    .description(
      "Refresh a recorded fine-tuning job from its provider and show its model references",
    )
    .argument("<job>", "job id or name")
    .option("--registry <file>", `registry of tuned models (default ${defaultRegistryFile()})`)
    .option(
      "--api-key-env <VAR>",
      "environment variable holding the API key (default OPENAI_API_KEY)",
    )
    .action(async (job: string, opts: { registry?: string; apiKeyEnv?: string }) => {
      const record = await refreshJob(job, {
        ...(opts.registry !== undefined && { registryFile: opts.registry }),
        ...(opts.apiKeyEnv !== undefined && { apiKeyEnv: opts.apiKeyEnv }),
      });
      process.stdout.write(`${formatJob(record)}\n`);
    });

  tune
    .command("list")
    .description(
      "List recorded fine-tuning jobs and the tuned:<job>@<epoch> references audits can use",
    )
    .option("--registry <file>", `registry of tuned models (default ${defaultRegistryFile()})`)
    .action((opts: { registry?: string }) => {
      const file = opts.registry ?? defaultRegistryFile();
      const jobs = Object.values(readRegistry(file).jobs).sort((a, b) =>
        a.createdAt.localeCompare(b.createdAt),
      );
      if (jobs.length === 0) {
        process.stdout.write(`No fine-tuning jobs recorded in ${file}.\n`);
        return;
      }
      process.stdout.write(`${jobs.map(formatJob).join("\n")}\n`);
    });
}

interface RecipeCliOptions {
  out: string;
  style: Style;
  baseModel: string;
  trainer: string;
  dest?: string;
  perDeviceBatch?: number;
  gpus?: number;
  seed?: number;
}

function registerRecipe(tune: Command): void {
  tune
    .command("recipe")
    .description(
      "Write LoRA configs with the study's hyper-parameters for open-weight models (TRL, axolotl, unsloth)",
    )
    .requiredOption("--out <dir>", "the `tune data` output directory")
    .requiredOption("--base-model <id>", "Hugging Face id or local path of the base model")
    .option("--style <style>", "warm or cold", oneStyle, "warm" as Style)
    .option("--trainer <names>", `${TRAINERS.join(", ")} or all`, "all")
    .option("--dest <dir>", "where to write (default <out>/<style>/recipes)")
    .option(
      "--per-device-batch <n>",
      "per-device batch size (default 4)",
      int("--per-device-batch", 1),
    )
    .option("--gpus <n>", "number of GPUs (default 1)", int("--gpus", 1))
    .option("--seed <n>", "training seed (default 42)", int("--seed"))
    .action((opts: RecipeCliOptions) => {
      const trainers = (
        opts.trainer === "all" ? [...TRAINERS] : opts.trainer.split(",").map((t) => t.trim())
      ) as Trainer[];
      for (const t of trainers) {
        if (!(TRAINERS as readonly string[]).includes(t)) {
          throw new CandorError(
            `--trainer must be ${TRAINERS.join(", ")} or all, got '${opts.trainer}'`,
          );
        }
      }
      const exp = readExport(opts.out, opts.style);
      const written = writeRecipes({
        exportDir: exp.dir,
        manifest: exp.manifest,
        style: opts.style,
        baseModel: opts.baseModel,
        trainers,
        ...(opts.dest !== undefined && { dest: opts.dest }),
        ...(opts.perDeviceBatch !== undefined && { perDeviceBatch: opts.perDeviceBatch }),
        ...(opts.gpus !== undefined && { gpus: opts.gpus }),
        ...(opts.seed !== undefined && { seed: opts.seed }),
      });
      process.stdout.write(
        `Wrote ${written.files.length} files to ${written.dir} (${written.plan.trainExamples} training conversations, ≈${written.plan.stepsPerEpoch} steps per epoch).\n`,
      );
    });
}

/** Registers `candor tune` and its subcommands. */
export function registerTune(program: Command): void {
  const tune = program
    .command("tune")
    .description(
      "Warm and cold fine-tuning data, provider fine-tunes and LoRA recipes (STUDY.md §2)",
    );
  registerData(tune);
  registerRun(tune);
  registerStatus(tune);
  registerRecipe(tune);
}
