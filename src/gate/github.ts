/**
 * GitHub Actions output: the gate table appended to the job summary file, and one
 * `::error` workflow command per failed check (a `::warning` per inconclusive one).
 */
import { appendFileSync } from "node:fs";
import { checkName, gateMarkdown } from "./format.js";
import type { GateResult } from "./types.js";

/** Workflow-command data escaping, as the Actions toolkit does it. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function githubAnnotations(result: GateResult): string[] {
  return result.checks
    .filter((c) => c.verdict === "fail" || c.verdict === "inconclusive")
    .map(
      (c) =>
        `::${c.verdict === "fail" ? "error" : "warning"} title=${escapeProperty(`candor gate: ${checkName(c)}`)}::${escapeData(c.detail)}`,
    );
}

/** When running on GitHub Actions, writes the summary and returns the annotation lines. */
export function reportToGithub(
  result: GateResult,
  run: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (env.GITHUB_ACTIONS !== "true" && !env.GITHUB_STEP_SUMMARY) return [];
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, gateMarkdown(result, run));
  return githubAnnotations(result);
}
