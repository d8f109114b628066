/** Small Markdown builders the report's Markdown summary is made of (every text escaped). */
import {
  PAIRED_TEST_HEADER,
  PAIRED_TEST_NOTE,
  type PairedTest,
  pairedTestCells,
} from "../analysis/paired-tests.js";
import { mdText } from "./escape.js";
import { DASH } from "./format.js";
import type { Section } from "./section.js";

export const t = (s: string | number | null | undefined) =>
  s === null || s === undefined ? DASH : mdText(String(s));

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head.map(t)), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function section(title: string, s: Section<unknown>, body: () => string[]): string[] {
  const out = [`## ${title}`, ""];
  if (!s.available) return [...out, `_No data in this run: ${mdText(s.reason)}_`, ""];
  out.push(...body(), "");
  for (const n of s.notes ?? []) out.push(mdText(n), "");
  return out;
}

/**
 * candor's own sentences, whose only outside text is subject ids
 * ([A-Za-z0-9_.-], checked by the config schema): escape just what could turn
 * them into markup, so report.md reads the same words as the terminal.
 */
export const mdSentence = (s: string) =>
  s.replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`).replace(/^(\d+)\./, "$1\\.");

/** Treatment vs reference, paired: the same cells as the terminal and the HTML. */
export function pairedMd(tests: readonly PairedTest[]): string[] {
  if (tests.length === 0) return [];
  return [
    "",
    "Treatment vs reference, paired:",
    "",
    table(
      [...PAIRED_TEST_HEADER],
      tests.map((x) => pairedTestCells(x).map(t)),
    ),
    "",
    mdText(PAIRED_TEST_NOTE),
  ];
}

export const img = (alt: string, path?: string) =>
  path ? [`![${mdText(alt)}](${encodeURI(path)})`, ""] : [];
