/**
 * `candor export <run> --format csv|jsonl|parquet [--layout tidy|study]`:
 * per-response rows for pandas and R.
 */
import type { Command } from "commander";
import { CandorError } from "../../errors.js";
import { resolveRun } from "../../report/run-path.js";
import {
  defaultExportPath,
  EXPORT_FORMATS,
  EXPORT_LAYOUTS,
  type ExportFormat,
  type ExportLayout,
  exportRun,
} from "../../store/export.js";

interface ExportCliOptions {
  format: string;
  layout: string;
  out?: string;
  judge?: string;
  spreadsheetSafe?: boolean;
  raw?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("Export per-response rows (tidy columns, or the study's released CSV layout)")
    .argument("<run>", "run directory (or its run.sqlite)")
    .requiredOption("--format <format>", "csv, jsonl or parquet")
    .option(
      "--layout <layout>",
      "tidy (one file) or study (<reference>/<variant>/<task>_<variant>_outputs.*)",
      "tidy",
    )
    .option(
      "-o, --out <path>",
      "output file (tidy) or directory (study); default under <run>/export/",
    )
    .option("--judge <id>", "export this judge's verdicts (default: the run's configured judge)")
    .option(
      "--raw",
      "CSV: keep every cell exactly (for pandas/R); by default cells starting with = + - @ get a ' prefix so spreadsheets do not run model output as formulas",
    )
    .option("--spreadsheet-safe", "CSV: the default (kept for compatibility)")
    .action(async (run: string, opts: ExportCliOptions) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
        throw new CandorError(
          `--format must be one of ${EXPORT_FORMATS.join(", ")}, got '${opts.format}'`,
        );
      }
      if (!(EXPORT_LAYOUTS as readonly string[]).includes(opts.layout)) {
        throw new CandorError(
          `--layout must be one of ${EXPORT_LAYOUTS.join(", ")}, got '${opts.layout}'`,
        );
      }
      const format = opts.format as ExportFormat;
      const layout = opts.layout as ExportLayout;
      const loc = resolveRun(run);
      const out = opts.out ?? defaultExportPath(loc.dir, format, layout);
      const result = await exportRun(loc.file, {
        format,
        layout,
        out,
        ...(opts.judge !== undefined && { judge: opts.judge }),
        // Model output is untrusted: a spreadsheet must not run it as a formula unless asked.
        spreadsheetSafe: opts.raw !== true,
      });
      for (const f of result.files) process.stdout.write(`${f}\n`);
      process.stderr.write(`${result.rows} rows written to ${result.files.length} file(s)\n`);
      for (const s of result.skipped) process.stderr.write(`left out ${s.count}: ${s.reason}\n`);
    });
}
