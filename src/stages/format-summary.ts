import { formatCiPp, formatPp } from "../analysis/headline.js";
import { PAIRED_TEST_HEADER, PAIRED_TEST_NOTE, pairedTestCells } from "../analysis/paired-tests.js";
import type { Summary } from "../analysis/summary.js";
import { formatWarmthCheck } from "../warmth/check.js";
import { formatLanguageGaps } from "./format-languages.js";
import { formatPipeline } from "./format-pipeline.js";
import { formatPressure } from "./format-pressure.js";
import { formatRuleCheck } from "./format-rule-check.js";

function pct(x: number | null): string {
  return x === null ? "—" : `${(x * 100).toFixed(1)}%`;
}

function bareP(p: number | null): string {
  return p === null ? "—" : p < 0.001 ? "<0.001" : p.toFixed(3);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The lead sentence, one paragraph per comparison, first in the terminal as in the report. */
export function leadLines(summary: Pick<Summary, "headline">): string[] {
  if (summary.headline.length === 0) return [];
  return [...summary.headline.map((h) => h.sentence), ""];
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
    ...leadLines(summary),
    ...(summary.selfGrading ?? []).map((w) => `WARNING ${w.message}\n`),
    `Error rates (judge: ${summary.judge}${summary.judgeStructured ? `, structured output: ${summary.judgeStructured}` : ""})`,
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
      c.differencePp === null ? "—" : `${formatPp(c.differencePp)} pp`,
      c.ci95Pp === null ? "—" : formatCiPp(c.ci95Pp).replace("95% CI ", ""),
      bareP(c.clustered.p),
      String(c.paired.pairs),
      `${c.paired.b}/${c.paired.c}`,
      bareP(c.paired.p),
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
          "95% CI (item-clustered)",
          "p (clustered)",
          "pairs",
          "b/c",
          "McNemar p",
        ],
        cmpRows,
      ),
      "b: reference right, treatment wrong · c: the reverse (same item, condition and sample)",
      "CI and p (clustered): Wald with an item-clustered SE (the conditions of an item are not independent); McNemar p treats every pair as independent.",
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
  parts.push(...formatPressure(summary));
  parts.push(...formatRuleCheck(summary));
  parts.push(...formatPipeline(summary));
  parts.push(...formatLanguageGaps(summary));
  const paired = [...summary.pairedTests.controls, ...summary.pairedTests.cave];
  if (paired.length > 0) {
    parts.push(
      "",
      'Paired tests: controls and the "are you sure?" cave rate',
      table([...PAIRED_TEST_HEADER], paired.map(pairedTestCells)),
      PAIRED_TEST_NOTE,
    );
  }
  if (summary.warmth) parts.push("", formatWarmthCheck(summary.warmth));
  for (const w of summary.warnings ?? []) parts.push("", w);
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
