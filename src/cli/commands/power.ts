import type { Command } from "commander";
import { CandorError } from "../../errors.js";
import {
  mcnemarPower,
  mcnemarSampleSize,
  minimumDetectableGap,
  unpairedSampleSize,
} from "../../stats/power.js";

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
  if (o.gap !== undefined) {
    const pTreat = o.referenceError + o.gap / 100;
    if (pTreat > 1) throw new CandorError(`--gap ${o.gap}: reference error + gap exceeds 100%`);
    const plan = {
      pRef: o.referenceError,
      pTreat,
      alpha: o.alpha,
      ...(o.discordance !== undefined && { discordance: o.discordance }),
    };
    const paired = mcnemarSampleSize(plan, o.power);
    const unpaired = unpairedSampleSize(o.referenceError, pTreat, o.alpha, o.power);
    lines.push(
      `To detect a gap of +${o.gap} pp: ${paired} paired trials (McNemar, same items and conditions for both subjects),`,
      `  versus ${unpaired} responses per subject if the two were sampled independently.`,
      "  Paired trials = items × conditions × samples per comparison: e.g. 500 items × 18 conditions = 9,000.",
      "  Pairing pays off when errors are correlated: measure the discordant-pair rate in a pilot and pass --discordance.",
    );
  }
  if (o.pairs !== undefined) {
    const gap = minimumDetectableGap(o.pairs, o.referenceError, {
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
        o.pairs,
      );
      lines.push(`Power to detect +${o.gap} pp with ${o.pairs} pairs: ${(p * 100).toFixed(1)}%.`);
    }
  }
  lines.push(
    "Trials of one item under different conditions are correlated, so many conditions per item count for less than as many items: check the item-clustered CIs of `candor analyze --cluster`.",
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
    .option("--alpha <a>", "significance level", rate("--alpha"), 0.05)
    .option("--power <p>", "target power", rate("--power"), 0.8)
    .action((opts: PowerOptions) => {
      if (opts.gap === undefined && opts.pairs === undefined)
        throw new CandorError("give --gap <pp>, --pairs <n>, or both");
      process.stdout.write(`${formatPower(opts)}\n`);
    });
}
