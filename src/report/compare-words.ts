/** Words and numbers shared by every surface of `candor compare` (terminal, HTML, Markdown). */
import type { GapChange, RunComparison } from "../analysis/compare-runs.js";
import { fmtCi, fmtInt, fmtPp } from "./format.js";

export const COMPARE_TITLE = "How the error gap changed";
export const COMPARE_HEADER = [
  "task",
  "context",
  "belief",
  "gap in A (pp)",
  "gap in B (pp)",
  "change B − A (pp)",
  "95% CI",
  "matched cells",
] as const;

export const COMPARE_METHOD =
  "Gap = treatment − reference error rate, over cells both answered and had scored. " +
  "Change = mean over cells matched by content in both runs of (gap in B − gap in A), " +
  "with a 95% CI clustered by item.";

const GROUP = { no_belief: "no belief", user_belief: "user belief" } as const;

export function changeCells(c: GapChange): string[] {
  return [
    c.task === "all" ? "all tasks" : c.task,
    c.context === "all" ? "all contexts" : c.context,
    GROUP[c.beliefGroup],
    fmtPp(c.gapA),
    fmtPp(c.gapB),
    fmtPp(c.changePp),
    fmtCi(c.ci95Pp?.[0], c.ci95Pp?.[1]),
    fmtInt(c.matched),
  ];
}

export function sideLine(cmp: RunComparison, which: "a" | "b"): string {
  const s = cmp[which];
  return `Run ${which.toUpperCase()}: ${s.run} — ${s.treatment} − ${s.reference}, judge ${s.judge}${s.createdAt ? `, ${s.createdAt.slice(0, 10)}` : ""}`;
}

export const overall = (cmp: RunComparison) => cmp.changes.filter((c) => c.context === "all");
export const byContext = (cmp: RunComparison) => cmp.changes.filter((c) => c.context !== "all");

/** Terminal table of the per-task and pooled rows. */
export function formatComparison(cmp: RunComparison): string {
  const rows = overall(cmp).map(changeCells);
  const header = [...COMPARE_HEADER];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [
    sideLine(cmp, "a"),
    sideLine(cmp, "b"),
    ...(cmp.differences.length > 0
      ? ["", "Designs differ:", ...cmp.differences.map((d) => `  ${d}`)]
      : []),
    "",
    COMPARE_TITLE,
    line(header),
    widths.map((w) => "─".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    COMPARE_METHOD,
  ].join("\n");
}
