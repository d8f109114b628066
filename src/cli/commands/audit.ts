import type { Command } from "commander";
import { newBatchCounters } from "../../batch/counters.js";
import { type AuditProgress, newCounters } from "../../engine/counters.js";
import { runSelfGrading } from "../../judge/self-grading.js";
import { runAudit } from "../../stages/audit.js";
import { formatSummary, leadLines } from "../../stages/format-summary.js";
import { formatPreflight } from "../../stages/preflight.js";
import { showBatchProgress } from "../batch-progress.js";
import { downloadProgress } from "../download-bar.js";
import { showProgress } from "../progress-display.js";
import { addSubsetFlags, parseSubsetFlags } from "../subset-flags.js";
import { publishGate } from "./gate.js";

export function registerAudit(program: Command): void {
  const command = program
    .command("audit")
    .description("Run an audit: plan trials, generate, judge, store, summarise. Re-run to resume.")
    .argument("<config>", "audit YAML file");
  addSubsetFlags(command).action(
    async (configFile: string, opts: { contexts?: string; beliefs?: string }) => {
      const subset = parseSubsetFlags(opts);
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write(
            "\nStopping: finishing in-flight writes… (press Ctrl+C again to force quit)\n",
          );
          controller.abort();
        } else {
          process.exit(130);
        }
      };
      process.on("SIGINT", onSigint);
      process.on("SIGTERM", onSigint);
      const downloads = downloadProgress();
      const progress: AuditProgress = {
        generate: newCounters("generate"),
        judge: newCounters("judge"),
      };
      let stop: (() => void) | undefined;
      const batchProgress = newBatchCounters();
      const stopBatch = showBatchProgress(batchProgress);
      try {
        const result = await runAudit(configFile, {
          ...subset,
          signal: controller.signal,
          progress,
          batchProgress,
          providerOptions: {
            onDownloadProgress: downloads.onProgress,
          },
          onPrepared: (loaded) => {
            if (loaded.config.challenge) progress.challenge = newCounters("challenge");
            if (loaded.config.pressure) progress.pressure = newCounters("pressure");
            for (const w of loaded.warnings) process.stderr.write(`candor: warning: ${w}\n`);
            process.stderr.write(
              `candor: ${loaded.plan.trials.length} trials (${loaded.plan.subjects.length} subjects) → ${loaded.runDir}\n`,
            );
            for (const w of runSelfGrading(loaded.config))
              process.stderr.write(`WARNING ${w.message}\n`);
          },
          onPreflight: (results) => {
            downloads.stop();
            process.stderr.write(`Preflight:\n${formatPreflight(results)}\n`);
          },
          onStart: () => {
            downloads.stop();
            stop = showProgress(progress);
          },
        });
        stop?.();
        stop = undefined;
        process.stdout.write(`${formatSummary(result.summary)}\n`);
        // The lead again as the closing lines: the tables above can be long.
        if (result.summary.lead) process.stdout.write(`\n${leadLines(result.summary).join("\n")}`);
        if (result.interrupted) {
          process.stderr.write(
            `\nInterrupted. Everything finished so far is saved in ${result.runDir}.\nResume with: npx candor audit ${configFile}\n`,
          );
          process.exitCode = 130;
        } else {
          const t = result.summary.totals;
          const pending = t.trials - t.judged;
          process.stderr.write(
            `\nRun stored in ${result.runDir} (run.sqlite, summary.json)\n` +
              `Next: npx candor analyze ${result.runDir}   (the study's models)\n` +
              `      npx candor report ${result.runDir}    (HTML report)   ·   npx candor view ${result.runDir}\n`,
          );
          if (result.gate) {
            process.stdout.write("\nGate (the audit file's gate: section)\n");
            publishGate(result.gate, result.runDir);
          }
          if (pending > 0) {
            process.stderr.write(
              `${pending} trials still lack a verdict (failures above). Re-run the same command to retry them.\n`,
            );
            // A failed gate stays a failure; otherwise the run is not finished.
            if (process.exitCode !== 1) process.exitCode = 3;
          }
        }
      } finally {
        downloads.stop();
        stop?.();
        stopBatch();
        process.off("SIGINT", onSigint);
        process.off("SIGTERM", onSigint);
      }
    },
  );
}
