import { join } from "node:path";
import type { Command } from "commander";
import { summarizeRun } from "../../stages/audit.js";
import { formatSummary } from "../../stages/format-summary.js";
import { readRunConfig } from "../../store/run-config.js";
import { RunStore } from "../../store/run-store.js";

export function registerSummary(program: Command): void {
  program
    .command("summary")
    .description("Print a run's summary from its store (no model calls, no config file needed)")
    .argument("<run>", "run directory (contains run.sqlite)")
    .option("--json", "print the summary as JSON (the same as summary.json)")
    .action((runDir: string, opts: { json?: boolean }) => {
      const file = join(runDir, "run.sqlite");
      const store = RunStore.open(file, { readonly: true });
      try {
        const summary = summarizeRun(store, readRunConfig(store));
        process.stdout.write(
          opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`,
        );
      } finally {
        store.close();
      }
    });
}
