import type { Command } from "commander";
import { CandorError } from "../../../errors.js";
import { readExport } from "../../../tuning/finetune.js";
import { TRAINERS, type Trainer, writeRecipes } from "../../../tuning/recipe.js";
import type { Style } from "../../../tuning/types.js";

import { int, oneStyle } from "./options.js";

export interface RecipeCliOptions {
  out: string;
  style: Style;
  baseModel: string;
  trainer: string;
  dest?: string;
  perDeviceBatch?: number;
  gpus?: number;
  seed?: number;
}

export function registerRecipe(tune: Command): void {
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
