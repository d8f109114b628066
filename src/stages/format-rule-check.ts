import type { Summary } from "../analysis/summary.js";

function pct(x: number | null): string {
  return x === null ? "—" : `${(x * 100).toFixed(1)}%`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Signed percentage points as the report writes them (report/format.ts fmtPp): +1.2, -3.4, 0.0. */
function gapText(x: number | null): string {
  if (x === null) return "—";
  const s = x.toFixed(1);
  return `${Number(s) === 0 ? "0.0" : x > 0 ? `+${s}` : s} pp`;
}

/** Terminal lines for the judge-vs-rule cross-check and the refusal rules (empty when neither ran). */
export function formatRuleCheck(summary: Summary): string[] {
  const parts: string[] = [];
  const rc = summary.ruleCheck;
  if (rc) {
    parts.push(
      "",
      `Judge vs rule (${rc.rule}): agreement on responses both scored`,
      table(
        ["subject", "task", "scored", "agreement", "judge-only correct", "rule-only correct"],
        rc.cells.map((c) => [
          c.subject,
          c.task,
          String(c.n),
          pct(c.agreement),
          String(c.judgeOnlyCorrect),
          String(c.ruleOnlyCorrect),
        ]),
      ),
    );
    if (rc.gaps.length > 0) {
      parts.push(
        "",
        table(
          ["comparison", "task", "reference", "treatment", "gap", `over ${rc.maxGapPp} pp`],
          rc.gaps.map((g) => [
            `${g.treatment} − ${g.reference}`,
            g.task,
            pct(g.referenceAgreement),
            pct(g.treatmentAgreement),
            gapText(g.gapPp),
            g.warn ? "WARNING" : "no",
          ]),
        ),
      );
    }
    for (const w of rc.warnings) parts.push(`WARNING: ${w}`);
  }
  const rx = summary.refusalExclusions;
  if (rx) {
    parts.push(
      "",
      `Refusals excluded (rule: ${rx.rule}; tasks: ${rx.tasks.join(", ")})`,
      table(
        [
          "subject",
          "responses",
          "study phrase rule",
          rx.rule === "judge" ? "judge REFUSAL" : "excluded",
          "phrase but answered",
        ],
        rx.subjects.map((s) => [
          s.subject,
          String(s.responses),
          String(s.phrase),
          String(s.refusals),
          rx.rule === "judge" ? String(s.phraseButAnswered) : "—",
        ]),
      ),
    );
  }
  return parts;
}
