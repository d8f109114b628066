import type { Command } from "commander";
import { registerData } from "./tune/data.js";
import { registerRecipe } from "./tune/recipe.js";
import { registerRun, registerStatus } from "./tune/run.js";
import { registerTrajectory } from "./tune/trajectory.js";

/** `candor tune …`: warm/cold training data, provider fine-tunes, LoRA recipes, warmth trajectory. */
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
  registerTrajectory(tune);
}
