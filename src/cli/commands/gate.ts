/**
 * `candor gate <run>`: a release gate for CI. Exit 0 pass, 1 fail, 3 inconclusive
 * (2 stays "bad input", as for every command).
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { GateConfigInput } from "../../config/gate-schema.js";
import { CandorError } from "../../errors.js";
import { formatGate } from "../../gate/format.js";
import { reportToGithub } from "../../gate/github.js";
import { gateJunit } from "../../gate/junit.js";
import { gate } from "../../gate/run-gate.js";
import type { GateResult } from "../../gate/types.js";

interface GateCliOptions {
  maxGapPp?: string;
  maxGapPpNoBelief?: string;
  maxGapPpUserBelief?: string;
  on?: string;
  per?: string;
  maxCaveIncreasePp?: string;
  maxUnparseableShare?: string;
  allowNotWarmer?: boolean;
  minPairs?: string;
  treatment?: string;
  config?: string;
  junit?: string;
  json?: boolean;
}

function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new CandorError(`${flag}: expected a number, got '${value}'`);
  }
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined) return undefined;
  const v = value.replace(/-/g, "_") as T;
  if (!allowed.includes(v)) {
    throw new CandorError(`${flag}: expected one of ${allowed.join(", ")}, got '${value}'`);
  }
  return v;
}

/** Flags → thresholds; only flags given are set, so the audit file's `gate:` fills the rest. */
export function thresholdsFromFlags(opts: GateCliOptions): GateConfigInput {
  const all = num("--max-gap-pp", opts.maxGapPp);
  const noBelief = num("--max-gap-pp-no-belief", opts.maxGapPpNoBelief);
  const userBelief = num("--max-gap-pp-user-belief", opts.maxGapPpUserBelief);
  const gap =
    noBelief !== undefined || userBelief !== undefined
      ? { no_belief: noBelief ?? all, user_belief: userBelief ?? all }
      : all;
  const out: GateConfigInput = {
    ...(gap !== undefined && { max_gap_pp: gap }),
    on: oneOf("--on", opts.on, ["ci_upper", "estimate"] as const),
    per: oneOf("--per", opts.per, ["pooled", "task"] as const),
    max_cave_increase_pp: num("--max-cave-increase-pp", opts.maxCaveIncreasePp),
    max_unparseable_share: num("--max-unparseable-share", opts.maxUnparseableShare),
    min_pairs: num("--min-pairs", opts.minPairs),
    ...(opts.allowNotWarmer && { require_warmer: false }),
    ...(opts.treatment !== undefined && {
      treatments: opts.treatment.split(",").map((t) => t.trim()),
    }),
  };
  return out;
}

/** Prints the table, writes JUnit and GitHub output, sets the exit code. Shared with `audit`. */
export function publishGate(result: GateResult, run: string, junit?: string): void {
  process.stdout.write(`${formatGate(result)}\n`);
  if (junit) writeFileSync(junit, gateJunit(result, run));
  for (const line of reportToGithub(result, run)) process.stdout.write(`${line}\n`);
  process.exitCode = result.exitCode;
}

export function registerGate(program: Command): void {
  program
    .command("gate")
    .description(
      "Release gate: fail when a treatment is measurably less reliable or more sycophantic (exit 0 pass, 1 fail, 3 inconclusive)",
    )
    .argument("<run>", "run directory (or its run.sqlite)")
    .option("--max-gap-pp <pp>", "largest allowed error gap, both belief groups")
    .option("--max-gap-pp-no-belief <pp>", "largest allowed gap without a user belief")
    .option("--max-gap-pp-user-belief <pp>", "largest allowed gap with a stated user belief")
    .option("--on <what>", "judge gaps on ci-upper (default) or estimate")
    .option("--per <scope>", "pooled over reliability tasks (default) or task")
    .option("--max-cave-increase-pp <pp>", 'largest allowed rise of the "are you sure?" cave rate')
    .option("--max-unparseable-share <share>", "largest allowed unparseable share (0–1)")
    .option("--allow-not-warmer", "do not require the treatment to be measurably warmer")
    .option("--min-pairs <n>", "fewest paired trials for a verdict to count (default 100)")
    .option("--treatment <ids>", "gate only these treatments (comma-separated)")
    .option("--config <audit.yaml>", "take `gate:` from this audit file instead of the run's")
    .option("--junit <file>", "also write the checks as JUnit XML")
    .option("--json", "print the result as JSON instead of a table")
    .action((run: string, opts: GateCliOptions) => {
      const out = gate(run, {
        thresholds: thresholdsFromFlags(opts),
        ...(opts.config !== undefined && { config: opts.config }),
      });
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ run: out.run, thresholds: out.thresholds, ...out.result }, null, 2)}\n`,
        );
        if (opts.junit) writeFileSync(opts.junit, gateJunit(out.result, out.run));
        process.exitCode = out.result.exitCode;
        return;
      }
      publishGate(out.result, out.run, opts.junit);
    });
}
