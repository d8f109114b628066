import type { Command } from "commander";
import { CandorError } from "../../../errors.js";
import { refreshJob, runFineTune } from "../../../tuning/finetune.js";
import {
  defaultRegistryFile,
  jobRefs,
  readRegistry,
  type TunedJob,
} from "../../../tuning/registry.js";
import type { Style } from "../../../tuning/types.js";

import { int, interruptible, num, oneStyle } from "./options.js";

export interface RunOptions {
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

export function formatJob(job: TunedJob): string {
  const lines = [
    `${job.id}${job.name ? ` (${job.name})` : ""}: ${job.status}${job.error ? ` — ${job.error}` : ""}`,
    `  base ${job.baseModel}, style ${job.style ?? "?"}, epochs ${job.nEpochs ?? "?"}, lr multiplier ${String(job.hyperparameters.learning_rate_multiplier ?? "?")}`,
  ];
  for (const r of jobRefs(job)) lines.push(`  ${r.ref.padEnd(28)} → ${r.model}`);
  return lines.join("\n");
}

export function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function registerRun(tune: Command): void {
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

export function registerStatus(tune: Command): void {
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
