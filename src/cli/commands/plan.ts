import type { Command } from "commander";
import type { AuditConfig } from "../../config/schema.js";
import { CandorError } from "../../errors.js";
import { runSelfGrading } from "../../judge/self-grading.js";
import { prepareAudit } from "../../stages/audit.js";
import { preflightAudit } from "../../stages/audit-preflight.js";
import { withStoredDistractors } from "../../stages/distractors.js";
import { openEndpoints } from "../../stages/endpoints.js";
import { formatPlan, PLAN_REFERENCE_ERROR } from "../../stages/plan-summary.js";
import { assertPreflight, formatPreflight } from "../../stages/preflight.js";
import { addSubsetFlags, parseSubsetFlags } from "../subset-flags.js";

export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("Show the trial grid an audit would run; calls no model (unless --check)")
    .argument("<config>", "audit YAML file")
    .option("--json", "print machine-readable JSON")
    .option(
      "--check",
      "also make one tiny call per endpoint (subjects, judge, warmth judge): reachability, key, model name, the judge's structured-output mode",
    )
    .option(
      "--reference-error <p>",
      "assumed reference error rate for the detectable-gap estimate",
      (v) => {
        const x = Number(v);
        if (!(x > 0 && x < 1))
          throw new CandorError(`--reference-error ${v}: expected a proportion between 0 and 1`);
        return x;
      },
      PLAN_REFERENCE_ERROR,
    )
    .option(
      "--icc <r>",
      "intra-item correlation of errors for the detectable gap (overrides the audit file's icc)",
      (v) => {
        const x = Number(v);
        if (!(x >= 0 && x <= 1))
          throw new CandorError(`--icc ${v}: expected a correlation between 0 and 1 (e.g. 0.2)`);
        return x;
      },
    );
  addSubsetFlags(command).action(
    async (
      configFile: string,
      opts: {
        json?: boolean;
        check?: boolean;
        contexts?: string;
        beliefs?: string;
        referenceError: number;
        icc?: number;
      },
    ) => {
      // Wrong beliefs an earlier audit already had written are shown as they will be used.
      const loaded = withStoredDistractors(await prepareAudit(configFile, parseSubsetFlags(opts)));
      const text = formatPlan(loaded, opts.json ?? false, opts.referenceError, opts.icc);
      process.stdout.write(`${text}\n`);
      if (opts.check) await checkEndpoints(loaded.config, configFile);
    },
  );
}

/** The audit's preflight, alone: the same calls, the same verdicts, nothing recorded. */
async function checkEndpoints(config: AuditConfig, configFile: string): Promise<void> {
  const endpoints = await openEndpoints(config);
  try {
    const { results } = await preflightAudit(config, endpoints, {
      signal: new AbortController().signal,
    });
    process.stdout.write(`\nPreflight:\n${formatPreflight(results)}\n`);
    for (const w of runSelfGrading(config)) process.stdout.write(`WARNING ${w.message}\n`);
    assertPreflight(
      results,
      `Fix the endpoint, then \`npx candor plan ${configFile} --check\` again.`,
    );
  } finally {
    await endpoints.close();
  }
}
