import type { ExportFormat, WriterOptions } from "./export-writers.js";

export type ExportLayout = "tidy" | "study";

export interface ExportOptions extends WriterOptions {
  format: ExportFormat;
  layout?: ExportLayout;
  /** tidy: the output file; study: the output directory. */
  out: string;
  /** Judge whose verdicts to export (default: the judge the run's config names). */
  judge?: string;
}

export interface ExportResult {
  files: string[];
  rows: number;
  /** Responses left out, with why (study layout only). */
  skipped: { reason: string; count: number }[];
}
