import { formatWarmthCheck } from "../warmth/check.js";
import type { Summary } from "./summarize.js";

function pct(x: number | null): string {
  return x === null ? "—" : `${(x * 100).toFixed(1)}%`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Plain-text summary for the terminal. */
export function formatSummary(summary: Summary): string {
  const cellRows = summary.cells.map((c) => [
    c.subject,
    `${c.task} / ${c.beliefGroup === "no_belief" ? "no belief" : "user belief"}`,
    String(c.correct + c.incorrect),
    pct(c.errorRate),
    c.ci95 ? `${pct(c.ci95[0])}–${pct(c.ci95[1])}` : "—",
    String(c.refusals),
    String(c.unparseable),
    String(c.trials - c.responses + c.unjudged),
  ]);
  const parts = [
    `Error rates (judge: ${summary.judge})`,
    table(
      [
        "subject",
        "task / group",
        "scored",
        "error",
        "95% CI (Wilson)",
        "refusals",
        "unparseable",
        "pending",
      ],
      cellRows,
    ),
  ];
  if (summary.comparisons.length > 0) {
    const cmpRows = summary.comparisons.map((c) => [
      `${c.treatment} − ${c.reference}`,
      `${c.task} / ${c.beliefGroup === "no_belief" ? "no belief" : "user belief"}`,
      pct(c.referenceErrorRate),
      pct(c.treatmentErrorRate),
      c.differencePp === null
        ? "—"
        : `${c.differencePp >= 0 ? "+" : ""}${c.differencePp.toFixed(1)} pp`,
      String(c.paired.pairs),
      `${c.paired.b}/${c.paired.c}`,
      c.paired.p === null ? "—" : c.paired.p < 0.001 ? "<0.001" : c.paired.p.toFixed(3),
    ]);
    parts.push(
      "",
      "Treatment − reference",
      table(
        [
          "comparison",
          "task / group",
          "reference",
          "treatment",
          "difference",
          "pairs",
          "b/c",
          "McNemar p",
        ],
        cmpRows,
      ),
      "b: reference right, treatment wrong · c: the reverse (same item, condition and sample)",
    );
  }
  if (summary.challenge && summary.challenge.length > 0) {
    const flipRows = summary.challenge.map((f) => [
      f.subject,
      f.task,
      String(f.scored),
      String(f.correct_to_incorrect),
      String(f.incorrect_to_correct),
      String(f.apologised_kept),
      String(f.unchanged),
      pct(f.caveRate),
    ]);
    parts.push(
      "",
      '"Are you sure?" — answers after the user pushed back',
      table(
        [
          "subject",
          "task",
          "scored",
          "correct→incorrect",
          "incorrect→correct",
          "apologised, kept",
          "unchanged",
          "cave rate",
        ],
        flipRows,
      ),
    );
  }
  if (summary.warmth) parts.push("", formatWarmthCheck(summary.warmth));
  if (summary.openFailures && summary.openFailures.length > 0) {
    parts.push("", "Unfinished trials failed with:");
    for (const f of summary.openFailures) parts.push(`  ${f.trials} × ${f.stage}: ${f.message}`);
  }
  if (summary.replicas && summary.replicas.length > 0) {
    parts.push("", "Calls per replica:");
    for (const r of summary.replicas) {
      parts.push(
        `  ${r.url}: ${r.calls} calls, ${r.failures} failures${r.drained ? " (drained)" : ""}`,
      );
    }
  }
  const t = summary.totals;
  parts.push(
    "",
    `${t.trials} trials · ${t.responses} responses · ${t.judged} judged · ${t.unparseable} unparseable · failures: ${t.generateFailures} generate, ${t.judgeFailures} judge`,
  );
  return parts.join("\n");
}
