import { type Command, Option } from "commander";
import { parseHubSpec } from "../../../tuning/hub-source.js";
import {
  buildTuneData,
  newTuneProgress,
  type PrepareSummary,
  type TuneDataResult,
  type TuneSource,
} from "../../../tuning/pipeline.js";
import { TuneStore } from "../../../tuning/store.js";
import { QUERY_TYPES, type Style } from "../../../tuning/types.js";

import { int, interruptible, num, showCounters, styles } from "./options.js";

export function formatPrepared(p: PrepareSummary): string {
  const lines = [
    `read ${p.records} records: ${p.eligible} usable conversations (${p.skipped.length} skipped, ${p.filtered.length} removed by the content filter, ${p.duplicates.length} duplicates, ${p.truncated} cut to the turn limit)`,
    `selected ${p.selected} conversations, ${p.assistantTurns} assistant turns`,
    "  type        usable  selected",
    ...QUERY_TYPES.map(
      (t) =>
        `  ${t.padEnd(10)} ${String(p.types[t].eligible).padStart(7)} ${String(p.types[t].selected).padStart(9)}`,
    ),
    `  labels: ${Object.entries(p.labelSources)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  if (p.unlabelled > 0)
    lines.push(
      `  ${p.unlabelled} conversations could not be labelled by the LLM (counted as "other")`,
    );
  for (const s of p.skipped.slice(0, 5))
    lines.push(`  skipped ${s.file} (${s.where}): ${s.reason}`);
  if (p.skipped.length > 5) lines.push(`  … and ${p.skipped.length - 5} more skipped`);
  return lines.join("\n");
}

export function formatExports(result: TuneDataResult): string {
  const lines: string[] = [];
  for (const [style, m] of Object.entries(result.exports)) {
    if (!m) continue;
    const ex = m.excluded;
    lines.push(
      `${style}: ${m.files.train.examples} train / ${m.files.validation.examples} validation conversations (≈${m.files.train.tokensEstimate + m.files.validation.tokensEstimate} tokens) → ${result.out}/${style}/`,
    );
    if (ex.flagged + ex.missingRewrite + ex.unchecked > 0) {
      lines.push(
        `  left out: ${ex.flagged} flagged by the preservation checks, ${ex.missingRewrite} missing a rewrite, ${ex.unchecked} unchecked (see ${style}/manifest.json)`,
      );
    }
    lines.push(`  review sample: ${result.out}/${style}/review.md`);
  }
  return lines.join("\n");
}

export interface DataOptions {
  out: string;
  rewriter?: string;
  style: Style[];
  checkModel?: string;
  labelModel?: string;
  conversations?: number;
  seed?: number;
  maxTurns: number;
  dedup: boolean;
  contentFilter?: string;
  format?: "json" | "jsonl" | "parquet";
  turnsField?: string;
  skipInvalid?: boolean;
  hubConfig?: string;
  hubSplit?: string;
  hubFile?: string;
  hubRevision?: string;
  hubSha256?: string;
  concurrency?: number;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  validation: number;
  review: number;
  includeFlagged?: boolean;
  dryRun?: boolean;
}

export function registerData(tune: Command): void {
  tune
    .command("data")
    .description(
      "Build warm/cold training data: read, clean, label, sample, rewrite every assistant turn, check, export. Re-run to resume.",
    )
    .argument(
      "<source>",
      "ShareGPT JSON/JSONL, OpenAI chat JSONL, Parquet, or hf:<owner>/<dataset>",
    )
    .requiredOption("--out <dir>", "output directory (tune.sqlite, <style>/train.jsonl …)")
    .option(
      "--rewriter <model>",
      "model reference that rewrites the turns (required unless --dry-run)",
    )
    .option("--style <styles>", "warm, cold, or both", styles, ["warm", "cold"] as Style[])
    .option("--check-model <model>", "also compare claims of original and rewrite with this model")
    .option("--label-model <model>", "label conversations no rule can label with this model")
    .option(
      "-n, --conversations <n>",
      "conversations to sample evenly across query types (default: all)",
      int("-n", 1),
    )
    .option("--seed <n>", "seed for sampling, splitting and the review sample", int("--seed"))
    .option(
      "--max-turns <n>",
      "keep at most this many turns per conversation",
      int("--max-turns", 2),
      20,
    )
    .option("--no-dedup", "keep duplicate conversations")
    .option(
      "--content-filter <nsfw|file>",
      "drop conversations matching the built-in NSFW list or a file of terms",
    )
    .addOption(
      new Option("--format <format>", "file format when the extension does not tell").choices([
        "json",
        "jsonl",
        "parquet",
      ]),
    )
    .option("--turns-field <name>", "field holding the turns (default: messages or conversations)")
    .option("--skip-invalid", "skip malformed conversations (reported) instead of stopping")
    .option("--hub-config <name>", "hub: converted-Parquet config (default: default)")
    .option("--hub-split <name>", "hub: split (default: train)")
    .option("--hub-file <path>", "hub: a file in the dataset repository (e.g. data/train.jsonl)")
    .option("--hub-revision <rev>", "hub: revision (commit, branch or tag)")
    .option("--hub-sha256 <hex>", "hub: expected sha256 of the file")
    .option(
      "--concurrency <n>",
      "max in-flight requests per model (default: the provider's)",
      int("--concurrency", 1),
    )
    .option("--temperature <t>", "rewrite temperature (default 0.3)", num("--temperature", 0, 2))
    .option("--max-tokens <n>", "max tokens per rewrite (default 4096)", int("--max-tokens", 1))
    .option("--timeout-ms <ms>", "per-request timeout", int("--timeout-ms", 1))
    .option(
      "--validation <fraction>",
      "share of conversations held out for validation",
      num("--validation", 0, 0.5),
      0.1,
    )
    .option("--review <n>", "original/rewritten pairs in the review sample", int("--review"), 50)
    .option("--include-flagged", "export conversations whose rewrites failed a check")
    .option("--dry-run", "read, label and sample only; print the selection")
    .action(async (sourceArg: string, opts: DataOptions) => {
      const hubId = parseHubSpec(sourceArg);
      const source: TuneSource =
        hubId !== undefined
          ? {
              hub: {
                id: hubId,
                ...(opts.hubConfig !== undefined && { config: opts.hubConfig }),
                ...(opts.hubSplit !== undefined && { split: opts.hubSplit }),
                ...(opts.hubFile !== undefined && { file: opts.hubFile }),
                ...(opts.hubRevision !== undefined && { revision: opts.hubRevision }),
                ...(opts.hubSha256 !== undefined && { sha256: opts.hubSha256 }),
              },
            }
          : { path: sourceArg };
      const { signal, dispose } = interruptible();
      const progress = newTuneProgress();
      let stop: (() => void) | undefined;
      try {
        const result = await buildTuneData({
          source,
          out: opts.out,
          styles: opts.style,
          maxTurns: opts.maxTurns,
          dedup: opts.dedup,
          validationFraction: opts.validation,
          reviewCount: opts.review,
          ...(opts.rewriter !== undefined && { rewriteModel: opts.rewriter }),
          ...(opts.checkModel !== undefined && { checkModel: opts.checkModel }),
          ...(opts.labelModel !== undefined && { labelModel: opts.labelModel }),
          ...(opts.conversations !== undefined && { n: opts.conversations }),
          ...(opts.seed !== undefined && { seed: opts.seed }),
          ...(opts.contentFilter !== undefined && { contentFilter: opts.contentFilter }),
          ...(opts.format !== undefined && { format: opts.format }),
          ...(opts.turnsField !== undefined && { turnsField: opts.turnsField }),
          ...(opts.skipInvalid && { skipInvalid: true }),
          ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
          ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
          rewriteParams: {
            ...(opts.temperature !== undefined && { temperature: opts.temperature }),
            ...(opts.maxTokens !== undefined && { maxTokens: opts.maxTokens }),
          },
          ...(opts.includeFlagged && { includeFlagged: true }),
          ...(opts.dryRun && { dryRun: true }),
          signal,
          progress,
          onDownloadProgress: ({ file, done, total }) => {
            const pct = total ? ` ${((done / total) * 100).toFixed(0)}%` : "";
            process.stderr.write(`\rdownloading ${file}: ${(done / 1e6).toFixed(1)} MB${pct}   `);
          },
          onPrepared: (prepared) => {
            process.stderr.write(`${formatPrepared(prepared)}\n`);
            if (opts.dryRun) return;
            const shown = [
              ...(opts.labelModel !== undefined ? [progress.label] : []),
              progress.rewrite,
              ...(opts.checkModel !== undefined ? [progress.check] : []),
            ];
            stop = showCounters(shown);
          },
        });
        stop?.();
        stop = undefined;
        if (opts.dryRun) {
          process.stderr.write(`Dry run: nothing rewritten. Selection stored in ${result.store}\n`);
          return;
        }
        if (result.interrupted) {
          process.stderr.write(
            `\nInterrupted. Everything finished so far is saved in ${result.store}.\nResume with the same command.\n`,
          );
          process.exitCode = 130;
          return;
        }
        process.stdout.write(`${formatExports(result)}\n`);
        if (result.failed > 0) {
          process.stderr.write(
            `${result.failed} model calls failed (recorded in ${result.store}); re-run the same command to retry them.\n`,
          );
          const store = TuneStore.open(result.store);
          try {
            for (const f of store.commonFailures())
              process.stderr.write(`  ${f.count} × ${f.message}\n`);
          } finally {
            store.close();
          }
          process.exitCode = 3;
        }
      } finally {
        stop?.();
        dispose();
      }
    });
}
