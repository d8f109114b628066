import type { Command } from "commander";
import { prepareAudit } from "../../stages/audit.js";
import { formatPlan } from "../../stages/plan-summary.js";
import { addSubsetFlags, parseSubsetFlags } from "../subset-flags.js";

export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("Show the trial grid an audit would run; calls no model")
    .argument("<config>", "audit YAML file")
    .option("--json", "print machine-readable JSON");
  addSubsetFlags(command).action(
    async (configFile: string, opts: { json?: boolean; contexts?: string; beliefs?: string }) => {
      const loaded = await prepareAudit(configFile, parseSubsetFlags(opts));
      const text = formatPlan(loaded, opts.json ?? false);
      process.stdout.write(`${text}\n`);
    },
  );
}
