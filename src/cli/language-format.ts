/** Terminal rendering of `analyze`'s language × treatment section (words from analysis/language.ts). */
import {
  interactionSentence,
  LANGUAGE_TITLE,
  type LanguageAnalysis,
  languageGapLines,
} from "../analysis/language.js";

export function formatLanguages(a: LanguageAnalysis): string {
  const lines = ["", `${LANGUAGE_TITLE} (languages: ${a.languages.join(", ")})`];
  for (const c of a.comparisons) {
    lines.push("", `  ${interactionSentence(c)}`, ...languageGapLines(c.gaps));
    if (!("error" in c.model)) {
      for (const coef of c.model.coefficients.filter((k) => k.name.includes(":"))) {
        lines.push(
          `    ${coef.name}: ${coef.estimate === null ? "—" : coef.estimate.toFixed(4)} (SE ${coef.se === null ? "—" : coef.se.toFixed(4)}, p ${coef.p === null ? "—" : coef.p.toFixed(4)})`,
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
