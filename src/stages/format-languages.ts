/** The summary's per-language gaps on the terminal (the same words as `candor analyze`). */
import { LANGUAGE_TITLE, languageGapLines } from "../analysis/language.js";
import type { Summary } from "../analysis/summary.js";

export function formatLanguageGaps(summary: Summary): string[] {
  const l = summary.languages;
  if (!l) return [];
  return [
    "",
    `${LANGUAGE_TITLE} (languages: ${l.languages.join(", ")}; \`candor analyze\` fits the interaction)`,
    ...l.comparisons.flatMap((c) => [
      `  ${c.comparison} vs ${c.reference}`,
      ...languageGapLines(c.gaps, "    "),
    ]),
  ];
}
