import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type { Kind } from "../../stages/batch-specs.js";
import { exportPending } from "../../stages/cluster-export.js";
import { importResults } from "../../stages/cluster-import.js";
import { KINDS } from "../../stages/cluster-kinds.js";
import { warmthRatingSpec } from "../../warmth/rating-round.js";

export function registerBatch(program: Command): void {
  const batch = program
    .command("batch")
    .description(
      "Run generation on your own cluster: export requests, import results (vllm run-batch)",
    );
  batch
    .command("export")
    .description(
      "Write the run's next pending requests (generation, then verdicts, challenges, their verdicts, warmth ratings) in the OpenAI batch file format",
    )
    .argument("<config>", "audit config (YAML)")
    .requiredOption("--out <file>", "requests file to write (JSONL)")
    .option(
      "--model <name>",
      "model name the server serves (default: from each subject's model reference)",
    )
    .addOption(
      new Option("--stage <round>", "write this round instead of the first with work left").choices(
        KINDS,
      ),
    )
    .action(async (configFile: string, opts: { out: string; model?: string; stage?: Kind }) => {
      const r = await exportPending(configFile, resolve(opts.out), {
        ...(opts.model !== undefined && { model: opts.model }),
        ...(opts.stage !== undefined && { kind: opts.stage }),
        warmth: warmthRatingSpec,
      });
      if (r.requests === 0) {
        process.stderr.write(
          `candor: nothing pending to export (run ${r.runDir}); \`npx candor audit ${configFile}\` writes the summary\n`,
        );
        return;
      }
      process.stderr.write(
        `candor: ${r.requests} pending requests (${r.kind}) → ${opts.out} (${r.done} trials already answered; run ${r.runDir})\n` +
          (r.pipeline > 0
            ? `${r.pipeline} pipeline trials are not exported: \`npx candor audit\` runs them (answer, rewrite, check)\n`
            : "") +
          `Next: vllm run-batch -i ${opts.out} -o results.jsonl --model ${r.models.length === 1 ? r.models[0] : "<model>"}\n` +
          `      npx candor batch import ${r.runDir} results.jsonl\n` +
          "      then `candor batch export` again for the next round (verdicts, challenges, warmth ratings)\n",
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
      const r = await importResults(runDir, file, { warmth: warmthRatingSpec });
      const kinds = Object.entries(r.byKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
      process.stderr.write(
        `candor: imported ${r.imported} results${kinds ? ` (${kinds})` : ""} · ${r.alreadyThere} already there · ${r.errors} errors (recorded; retried by the next audit) · ${r.unknown} not in this run\n`,
      );
      process.stderr.write(
        "Next: `npx candor batch export <config>` for the next round, or `npx candor audit <config>` to finish live and write the summary\n",
      );
    });
}
