import type { Command } from "commander";
import { formatSummary } from "../../stages/format-summary.js";
import { judgeRun } from "../../stages/judge-run.js";
import { type AuditProgress, newCounters } from "../../stages/progress.js";
import { showProgress } from "../progress-display.js";

export function registerJudge(program: Command): void {
  program
    .command("judge")
    .description(
      "Judge a run's stored responses with another judge model (nothing is generated); re-run to resume",
    )
    .argument("<run>", "run directory (contains run.sqlite)")
    .requiredOption("--model <ref>", "judge model reference, e.g. anthropic:claude-sonnet-4-5")
    .option("--concurrency <n>", "requests in flight", (v) => Number(v))
    .action(async (runDir: string, opts: { model: string; concurrency?: number }) => {
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      const progress: AuditProgress = {
        generate: newCounters("generate"),
        judge: newCounters("judge"),
      };
      const stop = showProgress(progress);
      let result: Awaited<ReturnType<typeof judgeRun>>;
      try {
        result = await judgeRun(runDir, {
          model: opts.model,
          ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
          signal: controller.signal,
          progress,
        });
      } finally {
        stop();
        process.off("SIGINT", onSigint);
      }
      process.stdout.write(`${formatSummary(result.summary)}\n`);
      process.stderr.write(
        result.interrupted
          ? "\nInterrupted; re-run the same command to resume.\n"
          : `\nCompare with the run's judge: npx candor judge-check ${runDir} --judge ${result.judge} --against <judge id>\n`,
      );
      if (result.interrupted) process.exitCode = 130;
    });
}
