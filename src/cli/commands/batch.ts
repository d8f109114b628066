import { resolve } from "node:path";
import type { Command } from "commander";
import { exportPending } from "../../stages/cluster-export.js";
import { importResults } from "../../stages/cluster-import.js";

export function registerBatch(program: Command): void {
  const batch = program
    .command("batch")
    .description(
      "Run generation on your own cluster: export requests, import results (vllm run-batch)",
    );
  batch
    .command("export")
    .description(
      "Write the run's pending generation requests in the OpenAI batch file format (custom_id = trial id)",
    )
    .argument("<config>", "audit config (YAML)")
    .requiredOption("--out <file>", "requests file to write (JSONL)")
    .option(
      "--model <name>",
      "model name the server serves (default: from each subject's model reference)",
    )
    .action(async (configFile: string, opts: { out: string; model?: string }) => {
      const r = await exportPending(configFile, resolve(opts.out), {
        ...(opts.model !== undefined && { model: opts.model }),
      });
      process.stderr.write(
        `candor: ${r.requests} pending requests → ${opts.out} (${r.done} trials already answered; run ${r.runDir})\n` +
          (r.pipeline > 0
            ? `${r.pipeline} pipeline trials are not exported: \`npx candor audit\` runs them (answer, rewrite, check)\n`
            : "") +
          `Next: vllm run-batch -i ${opts.out} -o results.jsonl --model <model>\n` +
          `      npx candor batch import ${r.runDir} results.jsonl\n`,
      );
    });
  batch
    .command("import")
    .description(
      "Read a batch output file (OpenAI format, e.g. from vllm run-batch) into the run; safe to repeat",
    )
    .argument("<run>", "run directory (contains run.sqlite)")
    .argument("<results>", "results file (JSONL)")
    .action(async (runDir: string, file: string) => {
      const r = await importResults(runDir, file);
      process.stderr.write(
        `candor: imported ${r.imported} responses · ${r.alreadyThere} already there · ${r.errors} errors (recorded; retried by the next audit) · ${r.unknown} not in this run\n`,
      );
      process.stderr.write(
        "Next: npx candor audit <config> judges the imported responses and generates anything still missing\n",
      );
    });
}
