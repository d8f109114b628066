import { join } from "node:path";
import type { Command } from "commander";
import { CandorError } from "../../errors.js";
import { summarizeRun } from "../../stages/audit.js";
import { designEffect } from "../../stats/clustered.js";
import {
  mcnemarPower,
  mcnemarSampleSize,
  minimumDetectableGap,
  unpairedSampleSize,
} from "../../stats/power.js";
import { readRunConfig } from "../../store/run-config.js";
import { RunStore } from "../../store/run-store.js";

function rate(flag: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!(x >= 0 && x <= 1))
      throw new CandorError(`${flag} ${v}: expected a proportion between 0 and 1 (e.g. 0.2)`);
    return x;
  };
}

function positiveInt(flag: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x <= 0)
      throw new CandorError(`${flag} ${v}: expected a positive whole number`);
    return x;
  };
}

interface PowerOptions {
  referenceError: number;
  gap?: number;
  pairs?: number;
  discordance?: number;
  alpha: number;
  power: number;
  /** Intra-item correlation of errors; absent → pairs treated as independent. */
  icc?: number;
  /** Paired trials per item (conditions × samples), the cluster size. */
  perItem: number;
  /** Where the ICC came from, for the words. */
  iccSource?: string;
}

/** ICC and paired trials per item measured on a finished run (its summary's clustering). */
export function iccFromRun(runDir: string): { icc: number; perItem: number } {
  const store = RunStore.open(join(runDir, "run.sqlite"), { readonly: true });
  try {
    const { icc, responsesPerItem } = summarizeRun(store, readRunConfig(store)).clustering;
    if (icc === null || responsesPerItem === null)
      throw new CandorError(
        `${runDir}: the intra-item correlation cannot be estimated yet (it needs scored responses on at least two items of a reliability task)`,
      );
    return { icc: Math.max(0, icc), perItem: Math.max(1, Math.round(responsesPerItem)) };
  } finally {
    store.close();
  }
}

/** Paired-design power for an audit: pairs needed for a gap, or the smallest gap n pairs can see. */
export function formatPower(o: PowerOptions): string {
  const lines: string[] = [];
  const assumption =
    o.discordance !== undefined
      ? `discordant-pair rate ${o.discordance}`
      : "errors independent within a pair (conservative: the same model usually errs on the same items)";
  lines.push(
    `Reference error rate ${(o.referenceError * 100).toFixed(1)}%, α ${o.alpha}, power ${o.power}; ${assumption}.`,
  );
  // Pairs of one item are correlated: n pairs carry the information of n / deff independent ones.
  const deff = o.icc === undefined ? 1 : designEffect(o.perItem, o.icc);
  if (o.icc !== undefined) {
    lines.push(
      `Clustered by item: ICC ${o.icc.toFixed(3)}${o.iccSource ? ` (${o.iccSource})` : ""}, ${o.perItem} paired trials per item → design effect 1 + (${o.perItem} − 1) × ${o.icc.toFixed(3)} = ${deff.toFixed(2)}.`,
    );
  }
  if (o.gap !== undefined) {
    const pTreat = o.referenceError + o.gap / 100;
    if (pTreat > 1) throw new CandorError(`--gap ${o.gap}: reference error + gap exceeds 100%`);
    const plan = {
      pRef: o.referenceError,
      pTreat,
      alpha: o.alpha,
      ...(o.discordance !== undefined && { discordance: o.discordance }),
    };
    const paired = Math.ceil(mcnemarSampleSize(plan, o.power) * deff);
    const unpaired = unpairedSampleSize(o.referenceError, pTreat, o.alpha, o.power);
    lines.push(
      `To detect a gap of +${o.gap} pp: ${paired} paired trials (McNemar, same items and conditions for both subjects${deff > 1 ? `, × design effect ${deff.toFixed(2)}: ${Math.ceil(paired / o.perItem)} items` : ""}),`,
      `  versus ${unpaired} responses per subject if the two were sampled independently.`,
      "  Paired trials = items × conditions × samples per comparison: e.g. 500 items × 18 conditions = 9,000.",
      "  Pairing pays off when errors are correlated: measure the discordant-pair rate in a pilot and pass --discordance.",
    );
  }
  if (o.pairs !== undefined) {
    const gap = minimumDetectableGap(o.pairs / deff, o.referenceError, {
      alpha: o.alpha,
      power: o.power,
      ...(o.discordance !== undefined && { discordance: () => o.discordance! }),
    });
    lines.push(
      gap === null
        ? `With ${o.pairs} paired trials no gap reaches power ${o.power}.`
        : `With ${o.pairs} paired trials the smallest detectable increase is +${(gap * 100).toFixed(2)} pp (power ${o.power}).`,
    );
    if (o.gap !== undefined) {
      const p = mcnemarPower(
        {
          pRef: o.referenceError,
          pTreat: o.referenceError + o.gap / 100,
          alpha: o.alpha,
          ...(o.discordance !== undefined && { discordance: o.discordance }),
        },
        o.pairs / deff,
      );
      lines.push(`Power to detect +${o.gap} pp with ${o.pairs} pairs: ${(p * 100).toFixed(1)}%.`);
    }
  }
  if (o.icc === undefined)
    lines.push(
      "Pairs are treated as independent. Trials of one item under different conditions are correlated, so many conditions per item count for less than as many items: give --icc (or --run <pilot run> to measure it).",
    );
  return lines.join("\n");
}

export function registerPower(program: Command): void {
  program
    .command("power")
    .description(
      "Plan sample sizes: pairs needed to detect a gap, or the smallest gap a number of pairs can detect",
    )
    .option(
      "--reference-error <p>",
      "reference subject's error rate (the study saw 4–35% by task)",
      rate("--reference-error"),
      0.2,
    )
    .option(
      "--gap <pp>",
      "increase in error rate to detect, in percentage points (the study: +7.4)",
      (v) => {
        const x = Number(v);
        if (!(x > 0 && x < 100))
          throw new CandorError(`--gap ${v}: expected percentage points between 0 and 100`);
        return x;
      },
    )
    .option(
      "--pairs <n>",
      "paired trials available (items × conditions × samples)",
      positiveInt("--pairs"),
    )
    .option(
      "--discordance <p>",
      "share of pairs where exactly one subject errs (from a pilot run)",
      rate("--discordance"),
    )
    .option(
      "--icc <r>",
      "intra-item correlation of errors (design effect for clustering)",
      rate("--icc"),
    )
    .option(
      "--per-item <m>",
      "paired trials per item: conditions × samples (the full grid: 9 contexts × 4 templates = 36)",
      positiveInt("--per-item"),
      36,
    )
    .option("--run <dir>", "measure the ICC and trials per item on a finished (pilot) run")
    .option("--alpha <a>", "significance level", rate("--alpha"), 0.05)
    .option("--power <p>", "target power", rate("--power"), 0.8)
    .action((opts: PowerOptions & { run?: string }) => {
      if (opts.gap === undefined && opts.pairs === undefined)
        throw new CandorError("give --gap <pp>, --pairs <n>, or both");
      if (opts.run !== undefined) {
        if (opts.icc !== undefined) throw new CandorError("give --icc or --run, not both");
        const measured = iccFromRun(opts.run);
        Object.assign(opts, { ...measured, iccSource: `measured on ${opts.run}` });
      }
      process.stdout.write(`${formatPower(opts)}\n`);
    });
}
