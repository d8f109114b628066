/**
 * Warmth of a text column in a CSV / JSON Lines / JSON / Parquet file (no run store): every
 * row's text is checked first (a bad row stops everything before any model is called), then
 * scored with SocioT and/or the judge rating.
 */
import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { describe as describeValue, readTable, type Table } from "../data/table.js";
import { DEFAULT_RETRY, type RetryPolicy } from "../engine/backoff.js";
import { CallFailed } from "../engine/call.js";
import { runQueue } from "../engine/run-queue.js";
import { DataError } from "../errors.js";
import { rateWarmth, type WarmthJudge } from "./judge-rating.js";
import { type MeanSem, meanSem } from "./paired.js";
import { type LogprobBackend, scoreSocioT } from "./sociot.js";

export interface FileWarmthOptions {
  /** The column holding the texts (default `output`). */
  column?: string;
  sociot?: { backend: LogprobBackend; chunk?: number };
  judge?: WarmthJudge & { retry?: RetryPolicy; timeoutMs?: number };
  signal?: AbortSignal;
  onProgress?: (p: { method: "sociot" | "judge"; done: number; total: number }) => void;
}

export interface FileWarmthRow {
  /** Where the row is in the file ("row 3 (line 4)", "line 7"). */
  where: string;
  values: Readonly<Record<string, unknown>>;
  sociotReference?: number;
  sociotStrict?: number;
  /** 1–7, null when unparseable or failed. */
  judgeRating?: number | null;
  /** RATED, UNPARSEABLE or ERROR. */
  judgeLabel?: string;
  judgeError?: string;
}

export interface FileWarmthResult {
  file: string;
  column: string;
  rows: FileWarmthRow[];
  summary: {
    sociotReference?: MeanSem;
    sociotStrict?: MeanSem;
    judge?: MeanSem & { unparseable: number; failed: number };
  };
  interrupted: boolean;
}

/** The texts of `column`, or a DataError naming the first bad row. */
export function textsOf(table: Table, column: string): string[] {
  if (!table.columns.includes(column)) {
    throw new DataError(
      table.file,
      table.headerWhere,
      `no column "${column}"; expected one of: ${table.columns.join(", ")} (choose it with --column)`,
    );
  }
  if (table.rows.length === 0) throw new DataError(table.file, undefined, "no rows to score");
  return table.rows.map((row) => {
    const v = row.values[column];
    if (typeof v !== "string") {
      throw new DataError(
        table.file,
        `${row.where}, column ${column}`,
        `found ${v === undefined ? "no value" : describeValue(v)}; expected the text to score (a non-empty string)`,
      );
    }
    if (v.trim().length === 0) {
      throw new DataError(
        table.file,
        `${row.where}, column ${column}`,
        "the text is empty; expected a non-empty string to score",
      );
    }
    return v;
  });
}

/** Scores the texts of one column of a file. */
export async function scoreFileWarmth(
  path: string,
  opts: FileWarmthOptions,
): Promise<FileWarmthResult> {
  const column = opts.column ?? "output";
  const table = await readTable(path);
  const texts = textsOf(table, column);
  const signal = opts.signal ?? new AbortController().signal;
  const rows: FileWarmthRow[] = table.rows.map((r) => ({ where: r.where, values: r.values }));
  const tasks: Promise<void>[] = [];
  let judgeFailed = 0;
  if (opts.sociot) {
    const { backend } = opts.sociot;
    /** One chunk; when it fails, text by text, so the error names the row that failed. */
    const scoreNamingRow = async (all: string[], from: number, n: number) => {
      const part = all.slice(from, from + n);
      try {
        return await scoreSocioT(part, backend, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        for (let j = 0; j < part.length; j++) {
          try {
            await scoreSocioT([part[j]!], backend, signal);
          } catch (one) {
            const row = table.rows[from + j]!;
            throw new DataError(
              table.file,
              `${row.where}, column ${column}`,
              `SocioT failed: ${one instanceof Error ? one.message : String(one)}`,
            );
          }
        }
        throw err;
      }
    };
    const chunk = Math.max(1, opts.sociot.chunk ?? 16);
    tasks.push(
      (async () => {
        for (let i = 0; i < texts.length && !signal.aborted; i += chunk) {
          const scores = await scoreNamingRow(texts, i, chunk);
          scores.forEach((s, j) => {
            rows[i + j]!.sociotReference = s.reference;
            rows[i + j]!.sociotStrict = s.strict;
          });
          opts.onProgress?.({
            method: "sociot",
            done: Math.min(texts.length, i + chunk),
            total: texts.length,
          });
        }
      })(),
    );
  }
  if (opts.judge) {
    const judge = opts.judge;
    const call = {
      retry: judge.retry ?? DEFAULT_RETRY,
      timeoutMs: judge.timeoutMs ?? 120_000,
      signal,
    };
    let done = 0;
    tasks.push(
      runQueue(
        texts.map((text, i) => ({ text, i })),
        Math.max(1, judge.limiter.control.max * 2),
        async ({ text, i }) => {
          const row = rows[i]!;
          try {
            const r = await rateWarmth(text, judge, call);
            row.judgeRating = r.rating;
            row.judgeLabel = r.label;
          } catch (err) {
            if (signal.aborted) return;
            row.judgeRating = null;
            row.judgeLabel = "ERROR";
            row.judgeError = err instanceof CallFailed ? err.message : String(err);
            judgeFailed++;
          }
          opts.onProgress?.({ method: "judge", done: ++done, total: texts.length });
        },
        signal,
      ),
    );
  }
  await Promise.all(tasks);
  const values = (pick: (r: FileWarmthRow) => number | null | undefined) =>
    rows.map(pick).filter((v): v is number => typeof v === "number");
  const summary: FileWarmthResult["summary"] = {};
  if (opts.sociot) {
    summary.sociotReference = meanSem(values((r) => r.sociotReference));
    summary.sociotStrict = meanSem(values((r) => r.sociotStrict));
  }
  if (opts.judge) {
    summary.judge = {
      ...meanSem(values((r) => r.judgeRating)),
      unparseable: rows.filter((r) => r.judgeLabel === "UNPARSEABLE").length,
      failed: judgeFailed,
    };
  }
  return { file: table.file, column, rows, summary, interrupted: signal.aborted };
}

/** The added columns of an output row. */
function scoreColumns(r: FileWarmthRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.sociotReference !== undefined) out.sociot_reference = r.sociotReference;
  if (r.sociotStrict !== undefined) out.sociot_strict = r.sociotStrict;
  if (r.judgeLabel !== undefined) {
    out.judge_warmth = r.judgeRating ?? null;
    out.judge_label = r.judgeLabel;
  }
  return out;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows with their scores as JSON Lines (one object per row). */
export function warmthRowsJsonl(result: FileWarmthResult): string {
  return result.rows
    .map((r) => `${JSON.stringify({ ...r.values, ...scoreColumns(r) })}\n`)
    .join("");
}

/** The rows with their scores as CSV (input columns first, then the score columns). */
export function warmthRowsCsv(result: FileWarmthResult): string {
  const inputCols = [...new Set(result.rows.flatMap((r) => Object.keys(r.values)))];
  const scoreCols = [...new Set(result.rows.flatMap((r) => Object.keys(scoreColumns(r))))];
  const lines = [[...inputCols, ...scoreCols].map(csvCell).join(",")];
  for (const r of result.rows) {
    const s = scoreColumns(r);
    lines.push(
      [...inputCols.map((c) => r.values[c]), ...scoreCols.map((c) => s[c])].map(csvCell).join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the scored rows to `.csv` or `.jsonl` (by extension). */
export async function writeWarmthRows(file: string, result: FileWarmthResult): Promise<void> {
  const ext = extname(file).toLowerCase();
  if (ext === ".csv") await writeFile(file, warmthRowsCsv(result));
  else if (ext === ".jsonl" || ext === ".ndjson") await writeFile(file, warmthRowsJsonl(result));
  else throw new DataError(file, undefined, "unknown output extension; expected .csv or .jsonl");
}
