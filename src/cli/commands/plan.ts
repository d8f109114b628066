import type { Command } from "commander";
import { prepareAudit } from "../../stages/audit.js";
import { formatPlan } from "../../stages/plan-summary.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("Show the trial grid an audit would run; calls no model")
    .argument("<config>", "audit YAML file")
    .option("--json", "print machine-readable JSON")
    .action(async (configFile: string, opts: { json?: boolean }) => {
      const loaded = await prepareAudit(configFile);
      const text = formatPlan(loaded, opts.json ?? false);
      process.stdout.write(`${text}\n`);
    });
}
