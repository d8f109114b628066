/**
 * JUnit XML for CI systems that show test results: one <testcase> per check, a <failure>
 * for a failed check, <skipped> for an inconclusive or skipped one (JUnit has no
 * "inconclusive"; the message says which it was).
 */
import { CHECK_TITLES, checkName, VERDICT_WORDS } from "./format.js";
import type { GateResult } from "./types.js";

/** XML 1.0 forbids most control characters even when escaped. */
function allowedInXml(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function xml(s: string): string {
  return [...s]
    .filter(allowedInXml)
    .join("")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function gateJunit(result: GateResult, run: string): string {
  const failures = result.checks.filter((c) => c.verdict === "fail").length;
  const skipped = result.checks.filter(
    (c) => c.verdict === "inconclusive" || c.verdict === "skipped",
  ).length;
  const cases = result.checks.map((c) => {
    const open = `    <testcase classname="candor.gate.${c.check}" name="${xml(checkName(c))}">`;
    const message = xml(c.detail);
    if (c.verdict === "fail") {
      return `${open}\n      <failure message="${message}" type="${xml(CHECK_TITLES[c.check])}">${message}</failure>\n    </testcase>`;
    }
    if (c.verdict === "inconclusive" || c.verdict === "skipped") {
      return `${open}\n      <skipped message="${xml(`${VERDICT_WORDS[c.verdict]}: ${c.detail}`)}"/>\n    </testcase>`;
    }
    return `${open}</testcase>`;
  });
  const attrs = `tests="${result.checks.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="candor gate" ${attrs}>`,
    `  <testsuite name="${xml(`candor gate ${run}`)}" ${attrs}>`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
