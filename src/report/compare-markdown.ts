/** `candor compare` as Markdown: the same words and numbers as the HTML page. */
import type { GapChange, RunComparison } from "../analysis/compare-runs.js";
import {
  byContext,
  COMPARE_HEADER,
  COMPARE_METHOD,
  COMPARE_TITLE,
  changeCells,
  overall,
  sideLine,
} from "./compare-words.js";
import { mdText } from "./escape.js";

function table(rows: readonly GapChange[]): string[] {
  return [
    `| ${COMPARE_HEADER.join(" | ")} |`,
    `|${COMPARE_HEADER.map((_, i) => (i < 3 ? "---" : "---:")).join("|")}|`,
    ...rows.map(
      (r) =>
        `| ${changeCells(r)
          .map((c) => mdText(c))
          .join(" | ")} |`,
    ),
  ];
}

export function renderCompareMarkdown(cmp: RunComparison): string {
  return [
    `# ${mdText(`candor compare: ${cmp.a.treatment} (A) → ${cmp.b.treatment} (B)`)}`,
    "",
    mdText(sideLine(cmp, "a")),
    "",
    mdText(sideLine(cmp, "b")),
    "",
    ...(cmp.differences.length > 0
      ? [
          "## Designs differ",
          "",
          "Only cells in both runs are compared pairwise.",
          "",
          ...cmp.differences.map((d) => `- ${mdText(d)}`),
          "",
        ]
      : []),
    `## ${COMPARE_TITLE}`,
    "",
    COMPARE_METHOD,
    "",
    ...table(overall(cmp)),
    "",
    "## By interpersonal context",
    "",
    ...table(byContext(cmp)),
    "",
  ].join("\n");
}
