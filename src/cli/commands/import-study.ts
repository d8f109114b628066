/**
 * `candor import-study <dir>`: read the study's released per-response CSVs,
 * apply the authors' refusal/dedup/grouping rules, report what was kept, and
 * optionally write the normalised analysis-rows CSV that `candor analyze` reads.
 */
import type { Command } from "commander";
import { rowsToFrame } from "../../analysis/frame.js";
import { writeFrameCsv } from "../../analysis/rows-csv.js";
import { importStudy, type StudyImport } from "../../analysis/study-import.js";
import { CandorError } from "../../errors.js";

interface ImportCliOptions {
  out?: string;
  json?: boolean;
  refusals?: string;
  lenientEvaluation?: boolean;
}

export function registerImportStudy(program: Command): void {
  program
    .command("import-study")
    .description(
      "Import the warmth study's released per-response CSVs (<model>/{original,warm}/<task>_<variant>_outputs.csv)",
    )
    .argument("<dir>", "directory in the study's layout, e.g. ../shared/data/paper/sample_data")
    .option(
      "--out <file>",
      "write the normalised analysis rows as CSV (input for `candor analyze`)",
    )
    .option(
      "--refusals <source>",
      "phrases (the authors' rule, default) or column (the released refusal column)",
      "phrases",
    )
    .option(
      "--lenient-evaluation",
      "count evaluations other than INCORRECT as correct, as the authors' code does",
    )
    .option("--json", "print the import report as JSON")
    .action(async (dir: string, opts: ImportCliOptions) => {
      if (opts.refusals !== "phrases" && opts.refusals !== "column") {
        throw new CandorError(`--refusals must be 'phrases' or 'column', got '${opts.refusals}'`);
      }
      const imported = importStudy(dir, {
        refusals: opts.refusals,
        ...(opts.lenientEvaluation ? { lenientEvaluation: true } : {}),
      });
      if (opts.out) await writeFrameCsv(rowsToFrame(imported.rows), opts.out);
      if (opts.json) {
        const { rows, ...report } = imported;
        process.stdout.write(
          `${JSON.stringify({ rows: rows.length, ...report, out: opts.out ?? null }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(formatImport(imported, opts.out));
    });
}

export function formatImport(imported: StudyImport, out?: string): string {
  const head = ["file", "rows", "dupes", "refusals", "dropped", "kept", "refusal col ≠ phrases"];
  const body = imported.files.map((f) => [
    f.file,
    String(f.rows),
    String(f.duplicates),
    String(f.refusals),
    String(f.dropped),
    String(f.kept),
    f.refusalColumnDisagreements === null ? "–" : String(f.refusalColumnDisagreements),
  ]);
  const sum = (k: "rows" | "duplicates" | "refusals" | "dropped" | "kept") =>
    String(imported.files.reduce((s, f) => s + f[k], 0));
  body.push([
    "total",
    sum("rows"),
    sum("duplicates"),
    sum("refusals"),
    sum("dropped"),
    sum("kept"),
    "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const lines = [line(head), ...body.map(line)];
  const comparisons = [...new Set(imported.rows.map((r) => r.comparison))];
  lines.push(
    "",
    `Refusals: phrase rule (Disinfo: counted CORRECT; other tasks: dropped). Analysis rows: ${imported.rows.length} (comparisons: ${comparisons.join(", ") || "none"}).`,
  );
  for (const w of imported.warnings) lines.push(`warning: ${w}`);
  if (out) lines.push(`Wrote ${out}`);
  return `${lines.join("\n")}\n`;
}
