import { pipelineSentence } from "../analysis/pipeline-summary.js";
import type { Summary } from "../analysis/summary.js";
import {
  WARMTH_ERROR_HEADER,
  warmthErrorCells,
  warmthErrorNote,
} from "../analysis/warmth-error.js";

function table(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Terminal lines: pipeline subjects' confirmed rewrites and fallbacks, then warmth vs error. */
export function formatPipeline(summary: Summary): string[] {
  const parts: string[] = [];
  if (summary.pipeline && summary.pipeline.length > 0) {
    parts.push("", "Warm-but-honest pipeline (answer, then restyle):");
    for (const p of summary.pipeline) parts.push(`  ${pipelineSentence(p)}`);
  }
  const chart = summary.warmthVsError;
  // Without warmth ratings the table would only repeat the error rates above.
  if (chart && chart.metric !== null) {
    parts.push(
      "",
      "Warmth vs error, per subject",
      table(WARMTH_ERROR_HEADER, chart.points.map(warmthErrorCells)),
      warmthErrorNote(chart),
    );
  }
  return parts;
}
