import type { Command } from "commander";
import { type AuditProgress, newCounters } from "../../engine/counters.js";
import { formatSummary } from "../../stages/format-summary.js";
import { judgeRun } from "../../stages/judge-run.js";
import { formatPreflight } from "../../stages/preflight.js";
import { showProgress } from "../progress-display.js";

export function registerJudge(program: Command): void {
  program
    .command("judge")
    .description(
      "Judge a run's stored responses with another judge model (nothing is generated); re-run to resume",
    )
    .argument("<run>", "run directory (contains run.sqlite)")
    .option(
      "--model <ref>",
      "judge model reference, e.g. anthropic:claude-sonnet-4-5 (default: the run's own judge)",
    )
    .option(
      "--retry-unparseable",
      "re-judge this judge's UNPARSEABLE verdicts (the old ones are kept in judgments_replaced); re-run to resume",
    )
    .option("--concurrency <n>", "requests in flight", (v) => Number(v))
    .action(
      async (
        runDir: string,
        opts: { model?: string; concurrency?: number; retryUnparseable?: boolean },
      ) => {
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
            ...(opts.model !== undefined && { model: opts.model }),
            ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
            ...(opts.retryUnparseable && { retryUnparseable: true }),
            signal: controller.signal,
            progress,
            onPreflight: (results) =>
              process.stderr.write(`Preflight:\n${formatPreflight(results)}\n`),
          });
        } finally {
          stop();
          process.off("SIGINT", onSigint);
        }
        if (result.released) {
          process.stderr.write(
            result.released.resumed
              ? "Resuming the unfinished re-judging of unparseable verdicts.\n"
              : `Re-judged ${result.released.moved} unparseable verdicts (the old ones are kept in judgments_replaced).\n`,
          );
        }
        process.stdout.write(`${formatSummary(result.summary)}\n`);
        process.stderr.write(
          result.interrupted
            ? "\nInterrupted; re-run the same command to resume.\n"
            : `\nCompare with the run's judge: npx candor judge-check ${runDir} --judge ${result.judge} --against <judge id>\n`,
        );
        if (result.interrupted) process.exitCode = 130;
      },
    );
}
