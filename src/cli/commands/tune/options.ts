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
import { InvalidArgumentError } from "commander";
import type { TuneCounters } from "../../../tuning/rewrite.js";
import { STYLES, type Style } from "../../../tuning/types.js";

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

export function rate(c: TuneCounters): number {
  const seconds = (performance.now() - c.startedAt) / 1000;
  return seconds > 0 ? (c.done - c.resumed) / seconds : 0;
}

export function describeCounters(c: TuneCounters): string {
  const t = c.promptTokens + c.completionTokens;
  const tokens =
    t >= 1e6 ? `${(t / 1e6).toFixed(1)}M` : t >= 1e3 ? `${(t / 1e3).toFixed(1)}k` : String(t);
  return `${c.stage.padEnd(8)} ${c.done}/${c.total} · ${rate(c).toFixed(1)}/s · resumed ${c.resumed} · errors ${c.failed} · retries ${c.retries} · tokens ${tokens}`;
}

/** Bars on a terminal, a line every few seconds otherwise; returns a stop function. */
export function showCounters(
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
