import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { CandorError } from "../../../errors.js";
import { defaultRegistryFile, readRegistry } from "../../../tuning/registry.js";
import {
  formatTrajectory,
  jobCheckpoints,
  trajectoryPrompts,
  warmthTrajectory,
} from "../../../tuning/trajectory.js";
import { DEFAULT_SOCIOT_MODEL, openLogprobBackend, sociotScorer } from "../../../warmth/index.js";
import { int, interruptible } from "./options.js";

export interface TrajectoryFile {
  job: string;
  scorer: string;
  form: "reference" | "strict";
  prompts: number;
  points: Awaited<ReturnType<typeof warmthTrajectory>>;
  createdAt: string;
}

export function registerTrajectory(tune: Command): void {
  tune
    .command("trajectory")
    .description(
      "Warmth across a fine-tune's checkpoints: each checkpoint answers the same prompts, SocioT scores them",
    )
    .argument("<job>", "job id or name from `candor tune run`")
    .requiredOption(
      "--data <dir>",
      "a style's export directory from `candor tune data` (prompts come from it)",
    )
    .requiredOption(
      "--out <file>",
      "where to write the trajectory JSON (`candor report --trajectory` shows it)",
    )
    .option("--base <ref>", "the base model reference, scored as epoch 0")
    .option("--scorer <ref>", "SocioT scorer model", DEFAULT_SOCIOT_MODEL)
    .option("--form <form>", "SocioT form: reference or strict", "reference")
    .option("-n, --prompts <n>", "prompts per checkpoint", int("--prompts", 1), 50)
    .option("--registry <file>", `registry of tuned models (default ${defaultRegistryFile()})`)
    .action(
      async (
        jobName: string,
        opts: {
          data: string;
          out: string;
          base?: string;
          scorer: string;
          form: string;
          prompts: number;
          registry?: string;
        },
      ) => {
        if (opts.form !== "reference" && opts.form !== "strict") {
          throw new CandorError(`--form ${opts.form}: expected reference or strict`);
        }
        const registryFile = opts.registry ?? defaultRegistryFile();
        const job = Object.values(readRegistry(registryFile).jobs).find(
          (j) => j.id === jobName || j.name === jobName,
        );
        if (!job)
          throw new CandorError(`${registryFile}: no fine-tuning job ${JSON.stringify(jobName)}`);
        const checkpoints = jobCheckpoints(job, opts.base);
        const prompts = trajectoryPrompts(opts.data, opts.prompts);
        const backend = await openLogprobBackend(opts.scorer);
        const { signal, dispose } = interruptible();
        try {
          const points = await warmthTrajectory({
            checkpoints,
            prompts,
            scorer: sociotScorer(backend, opts.form),
            signal,
          });
          const file: TrajectoryFile = {
            job: job.name ?? job.id,
            scorer: opts.scorer,
            form: opts.form,
            prompts: prompts.length,
            points,
            createdAt: new Date().toISOString(),
          };
          writeFileSync(opts.out, `${JSON.stringify(file, null, 2)}\n`);
          process.stdout.write(`${formatTrajectory(points)}\nwritten to ${opts.out}\n`);
        } finally {
          dispose();
          await backend.close();
        }
      },
    );
}
