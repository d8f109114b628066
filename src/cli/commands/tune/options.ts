/**
 * `candor tune …`: warm/cold fine-tuning data and fine-tunes (STUDY.md §2).
 *   data    read → clean → label → sample → rewrite → check → export (resumable)
 *   run     OpenAI-compatible fine-tuning: upload, create, poll, checkpoints → registry
 *   status  refresh a recorded job from its provider
 *   list    the registry: jobs and the `tuned:` references they offer
 *   recipe  LoRA configs (TRL, axolotl, unsloth) with the study's hyper-parameters
 * All logic lives in src/tuning; this file parses flags and renders.
 */
import { InvalidArgumentError } from "commander";
import type { TuneCounters } from "../../../tuning/rewrite.js";
import { STYLES, type Style } from "../../../tuning/types.js";
import { drawCounters, formatTokens, rate } from "../../progress-display.js";

export function int(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got '${value}'`);
    }
    return n;
  };
}

export function num(name: string, min: number, max = Number.POSITIVE_INFINITY) {
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

export function styles(value: string): Style[] {
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

export function oneStyle(value: string): Style {
  if (!(STYLES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--style must be warm or cold, got '${value}'`);
  }
  return value as Style;
}

/** Ctrl+C: first press stops gracefully (in-flight writes finish), second force-quits. */
export function interruptible(): { signal: AbortSignal; dispose: () => void } {
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

export { rate } from "../../progress-display.js";

export function describeCounters(c: TuneCounters): string {
  return `${c.stage.padEnd(8)} ${c.done}/${c.total} · ${rate(c).toFixed(1)}/s · resumed ${c.resumed} · errors ${c.failed} · retries ${c.retries} · tokens ${formatTokens(c)}`;
}

/** Bars on a terminal, a line every few seconds otherwise; returns a stop function. */
export function showCounters(
  counters: TuneCounters[],
  stream: NodeJS.WriteStream = process.stderr,
): () => void {
  return drawCounters(counters, stream, {
    describe: describeCounters,
    format:
      "{stage} |{bar}| {value}/{total} · {rate}/s · resumed {resumed} · errors {failed} · retries {retries}",
    payload: (c) => ({
      stage: c.stage.padEnd(8),
      rate: rate(c).toFixed(1),
      resumed: c.resumed,
      failed: c.failed,
      retries: c.retries,
    }),
  });
}
