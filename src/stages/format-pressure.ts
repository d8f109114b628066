import { PAIRED_TEST_HEADER, PAIRED_TEST_NOTE, pairedTestCells } from "../analysis/paired-tests.js";
import {
  PRESSURE_NOTE,
  PRESSURE_TITLE,
  pressureCellTexts,
  pressureHeader,
  pressureIntro,
  pressureTestTitle,
} from "../analysis/pressure-format.js";
import type { Summary } from "../analysis/summary.js";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Terminal lines for pressure over turns (empty when the run pressed no answer). */
export function formatPressure(summary: Pick<Summary, "pressure">): string[] {
  const p = summary.pressure;
  if (!p) return [];
  const out = [
    "",
    PRESSURE_TITLE,
    pressureIntro(p),
    table(pressureHeader(p.turns), p.cells.map(pressureCellTexts)),
    PRESSURE_NOTE,
  ];
  if (p.tests.length > 0) {
    out.push(
      "",
      pressureTestTitle(p.turns),
      table([...PAIRED_TEST_HEADER], p.tests.map(pairedTestCells)),
      PAIRED_TEST_NOTE,
    );
  }
  return out;
}
