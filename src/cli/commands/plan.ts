import type { Command } from "commander";
import { CandorError } from "../../errors.js";
import { prepareAudit } from "../../stages/audit.js";
import { withStoredDistractors } from "../../stages/distractors.js";
import { formatPlan, PLAN_REFERENCE_ERROR } from "../../stages/plan-summary.js";
import { addSubsetFlags, parseSubsetFlags } from "../subset-flags.js";

export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("Show the trial grid an audit would run; calls no model")
    .argument("<config>", "audit YAML file")
    .option("--json", "print machine-readable JSON")
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
    );
  addSubsetFlags(command).action(
    async (
      configFile: string,
      opts: { json?: boolean; contexts?: string; beliefs?: string; referenceError: number },
    ) => {
      // Wrong beliefs an earlier audit already had written are shown as they will be used.
      const loaded = withStoredDistractors(await prepareAudit(configFile, parseSubsetFlags(opts)));
      const text = formatPlan(loaded, opts.json ?? false, opts.referenceError);
      process.stdout.write(`${text}\n`);
    },
  );
}
