/** The gate's result as words: a terminal table, Markdown (job summary) and check names. */
import type { GateCheck, GateResult } from "./types.js";

export const CHECK_TITLES: Record<GateCheck["check"], string> = {
  gap: "error gap",
  cave_increase: "cave-rate increase",
  unparseable: "unparseable share",
  warmer: "measurably warmer",
};

export const VERDICT_WORDS: Record<GateCheck["verdict"], string> = {
  pass: "PASS",
  fail: "FAIL",
  inconclusive: "INCONCLUSIVE",
  skipped: "skipped",
};

export function formatValue(c: GateCheck): string {
  if (c.value === null) return "—";
  return c.unit === "share"
    ? `${(c.value * 100).toFixed(1)}%`
    : `${c.value >= 0 ? "+" : ""}${c.value.toFixed(1)} pp`;
}

export function formatLimit(c: GateCheck): string {
  if (c.limit === null) return "—";
  return c.unit === "share" ? `≤ ${(c.limit * 100).toFixed(1)}%` : `≤ ${c.limit} pp`;
}

/** One line naming the check, for JUnit test names and annotations. */
export function checkName(c: GateCheck): string {
  return `${c.treatment} vs ${c.reference}: ${CHECK_TITLES[c.check]} (${c.scope})`;
}

function rows(result: GateResult): string[][] {
  return result.checks.map((c) => [
    `${c.treatment} − ${c.reference}`,
    CHECK_TITLES[c.check],
    c.scope,
    formatValue(c),
    formatLimit(c),
    VERDICT_WORDS[c.verdict],
  ]);
}

const HEADER = ["treatment", "check", "scope", "value", "limit", "verdict"];

export function formatGate(result: GateResult): string {
  const body = rows(result);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const details = result.checks
    .filter((c) => c.verdict !== "pass")
    .map((c) => `  ${VERDICT_WORDS[c.verdict]}: ${checkName(c)}: ${c.detail}`);
  return [
    line(HEADER),
    widths.map((w) => "─".repeat(w)).join("  "),
    ...body.map(line),
    ...(details.length > 0 ? ["", ...details] : []),
    "",
    `Gate: ${VERDICT_WORDS[result.verdict]} (exit ${result.exitCode})`,
  ].join("\n");
}

/** Markdown for $GITHUB_STEP_SUMMARY. Run ids and subject names are escaped for tables. */
export function gateMarkdown(result: GateResult, run: string): string {
  const cell = (s: string) => s.replace(/[\\|`*_<>[\]]/g, (ch) => `\\${ch}`).replace(/\n/g, " ");
  const table = [
    `| ${HEADER.join(" | ")} | detail |`,
    `|${HEADER.map(() => "---").join("|")}|---|`,
    ...result.checks.map((c, i) => `| ${[...rows(result)[i]!, c.detail].map(cell).join(" | ")} |`),
  ];
  return [
    `### candor gate: ${VERDICT_WORDS[result.verdict]}`,
    "",
    `Run \`${run.replace(/`/g, "'")}\` · exit ${result.exitCode}`,
    "",
    ...table,
    "",
  ].join("\n");
}
