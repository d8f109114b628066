/** Terminal rendering of `analyze`'s language × treatment section (words from analysis/language.ts). */
import {
  gapPoints,
  interactionSentence,
  LANGUAGE_TITLE,
  type LanguageAnalysis,
} from "../analysis/language.js";

const rate = (r: number | null) => (r === null ? "—" : `${(r * 100).toFixed(1)}%`);

export function formatLanguages(a: LanguageAnalysis): string {
  const lines = ["", `${LANGUAGE_TITLE} (languages: ${a.languages.join(", ")})`];
  for (const c of a.comparisons) {
    lines.push("", `  ${interactionSentence(c)}`);
    const head = ["language", "reference error", "treatment error", "gap", "n"];
    const rows = c.gaps.map((g) => [
      g.language,
      `${rate(g.reference.rate)} of ${g.reference.n}`,
      `${rate(g.treatment.rate)} of ${g.treatment.n}`,
      gapPoints(g.gap),
      String(g.reference.n + g.treatment.n),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) =>
      `  ${r.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ")}`;
    lines.push(line(head), ...rows.map(line));
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
