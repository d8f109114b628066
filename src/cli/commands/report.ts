/**
 * `candor report <run>`: a self-contained HTML report (figures as inline SVG,
 * works offline) and a Markdown summary, written to `<run>/report/` by default.
 */
import type { Command } from "commander";
import { CandorError } from "../../errors.js";
import { writeReport } from "../../report/index.js";

interface ReportCliOptions {
  out?: string;
  judge?: string;
  cluster?: boolean;
  worst: string;
  trajectory?: string;
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description("Write an HTML report with the study's figures and a Markdown summary for a run")
    .argument("<run>", "run directory (or its run.sqlite)")
    .option("-o, --out <dir>", "output directory (default: <run>/report)")
    .option("--judge <id>", "use this judge's verdicts (default: the run's configured judge)")
    .option("--cluster", "item-clustered standard errors (default: non-robust, as the study)")
    .option("--worst <n>", "worst cases per comparison", "12")
    .option(
      "--trajectory <json>",
      "show warmth across checkpoints from `candor tune trajectory --out`",
    )
    .action(async (run: string, opts: ReportCliOptions) => {
      const worst = Number(opts.worst);
      if (!Number.isInteger(worst) || worst < 0) {
        throw new CandorError(`--worst must be a non-negative integer, got '${opts.worst}'`);
      }
      const files = await writeReport(run, {
        worst,
        ...(opts.out !== undefined && { outDir: opts.out }),
        ...(opts.judge !== undefined && { judge: opts.judge }),
        ...(opts.cluster && { covType: "cluster" as const }),
        ...(opts.trajectory !== undefined && { trajectory: opts.trajectory }),
      });
      process.stdout.write(`${files.html}\n${files.markdown}\n`);
      const missing = (
        [
          ["headline", files.data.lead],
          ["study-comparable Model 1", files.data.headline],
          ["warmth check", files.data.warmth],
          ["controls", files.data.controls],
          ["flip rates", files.data.flips],
          ["judge agreement", files.data.judgeCheck],
        ] as const
      ).filter(([, s]) => !s.available);
      if (missing.length > 0) {
        process.stderr.write(
          `note: no data in this run for: ${missing.map(([name]) => name).join(", ")} (the report says why)\n`,
        );
      }
    });
}
