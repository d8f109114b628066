import type { Command } from "commander";
import { ConfigError } from "../errors.js";
import { BELIEFS, type BeliefLabel, CONTEXTS, type ContextLabel } from "../types.js";

function list<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const bad = parts.filter((p) => !allowed.includes(p as T));
  if (bad.length > 0 || parts.length === 0) {
    throw new ConfigError(
      `${flag} ${JSON.stringify(value)}: expected a comma-separated list of ${allowed.join(", ")}`,
    );
  }
  return parts as T[];
}

export function addSubsetFlags(command: Command): Command {
  return command
    .option("--contexts <list>", "only these contexts (comma-separated subset of the config's)")
    .option(
      "--beliefs <list>",
      "only these belief conditions (comma-separated subset of the config's)",
    );
}

export function parseSubsetFlags(opts: { contexts?: string; beliefs?: string }): {
  contexts?: ContextLabel[];
  beliefs?: BeliefLabel[];
} {
  const contexts = list("--contexts", opts.contexts, CONTEXTS);
  const beliefs = list("--beliefs", opts.beliefs, BELIEFS);
  return { ...(contexts && { contexts }), ...(beliefs && { beliefs }) };
}
