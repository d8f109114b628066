/**
 * `candor warmth <csv|jsonl|json|parquet|run>`: warmth of a file's text column, or of a run's
 * responses (stored as metrics, resumable) followed by the manipulation check. All logic is in
 * src/warmth; this file parses flags, opens scorers and renders.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { AuditConfig } from "../../config/schema.js";
import { CandorError } from "../../errors.js";
import { providerOptions } from "../../stages/endpoints.js";
import { RunStore } from "../../store/run-store.js";
import {
  type ComparePair,
  DEFAULT_SOCIOT_MODEL,
  type FileWarmthResult,
  formatWarmthCheck,
  measureWarmth,
  openWarmthMeasures,
  scoreFileWarmth,
  type WarmthSpec,
  warmthManipulationCheck,
  warmthRowsJsonl,
  writeWarmthRows,
} from "../../warmth/index.js";
import type { MeanSem } from "../../warmth/paired.js";

export interface WarmthCliOptions {
  column: string;
  method: string;
  scorer?: string;
  judge?: string;
  out?: string;
  compare?: string[];
  parallel?: string;
  threads?: string;
  concurrency?: string;
  apiKeyEnv?: string;
  alpha?: string;
  cells?: string;
  json?: boolean;
}

export interface WarmthIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  signal?: AbortSignal;
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new CandorError(`${name} must be a positive integer, got '${v}'`);
  return n;
}

/** `ref:treatment` pairs from `--compare` (several treatments: `ref:a,b`). */
export function parseCompare(values: readonly string[]): ComparePair[] {
  return values.map((v) => {
    const m = /^([^:]+):(.+)$/.exec(v);
    if (!m)
      throw new CandorError(`--compare expects <reference>:<treatment>[,<treatment>…], got '${v}'`);
    return { reference: m[1]!, treatments: m[2]!.split(",").filter((s) => s.length > 0) };
  });
}

/** A run directory (with run.sqlite) or a .sqlite file → the store file; else undefined. */
function runStoreFile(target: string): string | undefined {
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st) throw new CandorError(`${target}: no such file or directory`);
  if (st.isDirectory()) {
    const f = join(target, "run.sqlite");
    if (existsSync(f)) return f;
    throw new CandorError(`${target}: a directory, but not a candor run (no run.sqlite inside)`);
  }
  return /\.(sqlite|db)$/i.test(target) ? target : undefined;
}

const fmt = (s: MeanSem | undefined) =>
  s?.mean === null || s?.mean === undefined
    ? "—"
    : `${s.mean.toFixed(4)} ± ${s.sem === null ? "—" : s.sem.toFixed(4)} (n=${s.n})`;

function fileSummary(r: FileWarmthResult): string {
  const lines = [`${r.file}, column ${r.column}: ${r.rows.length} rows`];
  if (r.summary.sociotReference)
    lines.push(`  SocioT reference  ${fmt(r.summary.sociotReference)}`);
  if (r.summary.sociotStrict) lines.push(`  SocioT strict     ${fmt(r.summary.sociotStrict)}`);
  if (r.summary.judge) {
    const j = r.summary.judge;
    lines.push(
      `  judge warmth 1–7  ${fmt(j)}${j.unparseable ? `, ${j.unparseable} unparseable` : ""}${j.failed ? `, ${j.failed} failed` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The command itself, with injectable output (tests run it in-process). Returns the exit code. */
export async function runWarmthCommand(
  target: string,
  opts: WarmthCliOptions,
  io: WarmthIo,
): Promise<number> {
  const method = opts.method;
  if (method !== "sociot" && method !== "judge" && method !== "both") {
    throw new CandorError(`--method must be sociot, judge or both, got '${method}'`);
  }
  const alpha = opts.alpha === undefined ? 0.05 : Number(opts.alpha);
  if (!(alpha > 0 && alpha < 1))
    throw new CandorError(`--alpha must be in (0, 1), got '${opts.alpha}'`);
  const storeFile = runStoreFile(target);
  const store = storeFile ? RunStore.open(storeFile) : undefined;
  try {
    let config: AuditConfig | undefined;
    const snapshot = store?.getMeta("config");
    if (snapshot) config = JSON.parse(snapshot) as AuditConfig;
    const wantJudge = method !== "sociot";
    const judgeModel = opts.judge ?? (wantJudge ? config?.judge.model : undefined);
    if (wantJudge && !judgeModel) {
      throw new CandorError("--method judge needs --judge <model reference> (e.g. openai:gpt-4o)");
    }
    const spec: WarmthSpec = {};
    if (method !== "judge") {
      spec.sociot = {
        model: opts.scorer ?? DEFAULT_SOCIOT_MODEL,
        ...(opts.parallel !== undefined && { parallel: positiveInt("--parallel", opts.parallel) }),
        ...(opts.threads !== undefined && { threads: positiveInt("--threads", opts.threads) }),
        ...(opts.concurrency !== undefined && {
          concurrency: positiveInt("--concurrency", opts.concurrency),
        }),
      };
    }
    if (wantJudge && judgeModel) {
      spec.judge = {
        model: judgeModel,
        ...(opts.concurrency !== undefined && {
          concurrency: positiveInt("--concurrency", opts.concurrency),
        }),
      };
    }
    let lastProgress = 0;
    const onDownloadProgress = ({
      file,
      done,
      total,
    }: {
      file: string;
      done: number;
      total?: number;
    }) => {
      const pct = total ? ` ${((done / total) * 100).toFixed(0)}%` : "";
      io.stderr(`\rdownloading ${file}: ${(done / 1e6).toFixed(1)} MB${pct}   `);
    };
    const measures = await openWarmthMeasures(spec, {
      providerOptions: (ref) => {
        const base = config
          ? providerOptions(config, ref, { onDownloadProgress })
          : { onDownloadProgress };
        return opts.apiKeyEnv ? { ...base, apiKeyEnv: opts.apiKeyEnv } : base;
      },
      ...(config && { timeoutMs: config.timeout_ms }),
    });
    const progress = (label: string, done: number, total: number) => {
      const now = Date.now();
      if (now - lastProgress < 500 && done < total) return;
      lastProgress = now;
      io.stderr(`warmth ${label}: ${done}/${total}\n`);
    };
    try {
      if (!store) {
        const result = await scoreFileWarmth(target, {
          column: opts.column,
          ...measures.options,
          ...(io.signal && { signal: io.signal }),
          onProgress: (p) => progress(p.method, p.done, p.total),
        });
        if (opts.out) {
          await writeWarmthRows(opts.out, result);
          io.stderr(`scores written to ${opts.out}\n`);
        }
        if (opts.json) {
          io.stdout(
            `${JSON.stringify({ file: result.file, column: result.column, rows: result.rows.length, summary: result.summary }, null, 2)}\n`,
          );
        } else if (opts.out) io.stdout(fileSummary(result));
        else {
          io.stdout(warmthRowsJsonl(result));
          io.stderr(fileSummary(result));
        }
        if (result.interrupted) return 130;
        return result.summary.judge?.failed ? 3 : 0;
      }
      const cells = positiveInt("--cells", opts.cells);
      const measured = await measureWarmth(store, {
        ...measures.options,
        ...(cells !== undefined && { cells, seed: config?.seed ?? 0 }),
        ...(io.signal && { signal: io.signal }),
        onProgress: (p) =>
          progress(p.method, p.counts.resumed + p.counts.done + p.counts.failed, p.counts.total),
      });
      const compare = opts.compare ? parseCompare(opts.compare) : (config?.compare ?? []);
      const check = warmthManipulationCheck(store, compare, { alpha });
      if (opts.json) io.stdout(`${JSON.stringify({ measured, check }, finiteOnly, 2)}\n`);
      else io.stdout(formatWarmthCheck(check));
      if (measured.interrupted) {
        io.stderr(`Interrupted; re-run the same command to score what is missing.\n`);
        return 130;
      }
      const failed = (measured.sociot?.failed ?? 0) + (measured.judge?.failed ?? 0);
      if (failed > 0) {
        io.stderr(
          `${failed} responses could not be scored (see failures); re-run to retry them.\n`,
        );
        return 3;
      }
      return 0;
    } finally {
      await measures.close();
    }
  } finally {
    store?.close();
  }
}

function finiteOnly(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

export function registerWarmth(program: Command): void {
  program
    .command("warmth")
    .description(
      "Measure warmth (SocioT, judge rating) of a file's text column or a run's responses; for runs, the manipulation check",
    )
    .argument("<target>", "a .csv/.jsonl/.json/.parquet file, a run directory or its run.sqlite")
    .option("--column <name>", "files: the column holding the texts", "output")
    .option("--method <m>", "sociot, judge or both", "sociot")
    .option(
      "--scorer <ref>",
      `SocioT model: llama:… or openai-compatible:…#model`,
      DEFAULT_SOCIOT_MODEL,
    )
    .option("--judge <ref>", "judge model for the 1–7 rating (runs: default the run's judge)")
    .option("--out <file>", "files: write the rows with their scores (.csv or .jsonl)")
    .option(
      "--compare <pairs...>",
      "runs: <reference>:<treatment>[,…] pairs to check (default: the run's compare)",
    )
    .option("--alpha <p>", "runs: significance level of the one-sided paired test", "0.05")
    .option(
      "--cells <n>",
      "runs: measure only n item×condition cells (all subjects' responses in them; seeded, resumable)",
    )
    .option("--parallel <n>", "llama scorer: contexts evaluating at once")
    .option("--threads <n>", "llama scorer: math threads per context")
    .option("--concurrency <n>", "requests in flight to the judge / the completions scorer")
    .option("--api-key-env <var>", "environment variable holding the judge's / scorer's API key")
    .option("--json", "print machine-readable JSON")
    .action(async (target: string, opts: WarmthCliOptions) => {
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write("\nStopping: finishing in-flight work… (Ctrl+C again to quit)\n");
          controller.abort();
        } else process.exit(130);
      };
      process.on("SIGINT", onSigint);
      try {
        process.exitCode = await runWarmthCommand(target, opts, {
          stdout: (s) => process.stdout.write(s),
          stderr: (s) => process.stderr.write(s),
          signal: controller.signal,
        });
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}
