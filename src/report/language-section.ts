/**
 * The report's "Language × treatment" section, shown only when a run holds several languages:
 * per comparison the interaction test and the per-language gap. Numbers and words come from
 * analysis/language.ts (the same as `candor analyze`); this file only renders them.
 */
import type { CovType } from "../analysis/fit-model.js";
import {
  analyzeRunLanguages,
  gapPoints,
  interactionSentence,
  LANGUAGE_TITLE,
  type LanguageAnalysis,
} from "../analysis/language.js";
import { languageDir } from "../i18n/index.js";
import { html, type SafeHtml } from "./escape.js";
import { fmtInt, fmtRate } from "./format.js";
import type { Section } from "./section.js";

/** Undefined for a run in one language: the report then has no such section. */
export function collectLanguages(
  runDir: string,
  judge: string,
  covType: CovType,
): Section<LanguageAnalysis> | undefined {
  const a = analyzeRunLanguages(runDir, { judge, covType });
  return a ? { available: true, data: a } : undefined;
}

const rate = fmtRate;

export function languagesHtml(s: Section<LanguageAnalysis> | undefined): SafeHtml {
  if (!s?.available) return html``;
  return html`<section id="languages"><h2>${LANGUAGE_TITLE}</h2>
<p class="meta">Languages: ${s.data.languages.join(", ")}. Error rates on judged reliability-task responses; the model is is_incorrect ~ treatment × language (binomial GLM).</p>
${s.data.comparisons.map(
  (c) => html`<h3>${c.comparison} vs ${c.reference}</h3><p>${interactionSentence(c)}</p>
<table><thead><tr><th>language</th><th>reference error</th><th>treatment error</th><th>gap</th><th>n</th></tr></thead><tbody>${c.gaps.map(
    (g) =>
      html`<tr><td lang="${g.language}" dir="${languageDir(g.language)}">${g.language}</td><td class="num">${rate(g.reference.rate)} of ${fmtInt(g.reference.n)}</td><td class="num">${rate(g.treatment.rate)} of ${fmtInt(g.treatment.n)}</td><td class="num">${gapPoints(g.gap)}</td><td class="num">${fmtInt(g.reference.n + g.treatment.n)}</td></tr>`,
  )}</tbody></table>`,
)}</section>`;
}

export function languagesMarkdown(
  s: Section<LanguageAnalysis> | undefined,
  t: (s: string | number | null | undefined) => string,
  table: (head: string[], rows: string[][]) => string,
): string[] {
  if (!s?.available) return [];
  const out = [`## ${LANGUAGE_TITLE}`, "", `Languages: ${s.data.languages.join(", ")}.`, ""];
  for (const c of s.data.comparisons) {
    out.push(
      `### ${t(c.comparison)} vs ${t(c.reference)}`,
      "",
      t(interactionSentence(c)),
      "",
      table(
        ["language", "reference error", "treatment error", "gap", "n"],
        c.gaps.map((g) => [
          t(g.language),
          `${rate(g.reference.rate)} of ${fmtInt(g.reference.n)}`,
          `${rate(g.treatment.rate)} of ${fmtInt(g.treatment.n)}`,
          gapPoints(g.gap),
          fmtInt(g.reference.n + g.treatment.n),
        ]),
      ),
      "",
    );
  }
  return out;
}
