/**
 * `analyze` on a run that holds several languages: per comparison, the language × treatment
 * model (language-model.ts) and the per-language gap. Runs in one language get nothing here.
 */
import { join } from "node:path";
import { runJudgeId } from "../judge/run-judge.js";
import { languageCells, runTrialLanguages } from "../store/language-cells.js";
import { readRunConfig } from "../store/run-config.js";
import { RunStore } from "../store/run-store.js";
import type { CovType } from "./fit-model.js";
import { fitLanguageModel, type LanguageModelResult, languageGaps } from "./language-model.js";

export interface LanguageComparison {
  readonly comparison: string;
  readonly reference: string;
  /** The model, or why it could not be fitted (the gaps are shown either way). */
  readonly model: LanguageModelResult | { readonly error: string };
  readonly gaps: LanguageModelResult["gaps"];
}

export interface LanguageAnalysis {
  readonly languages: readonly string[];
  readonly comparisons: readonly LanguageComparison[];
}

export function analyzeRunLanguages(
  runDir: string,
  opts: { judge?: string; covType?: CovType; level?: number } = {},
): LanguageAnalysis | null {
  const store = RunStore.open(join(runDir, "run.sqlite"), { readonly: true });
  try {
    const languages = runTrialLanguages(store);
    if (languages.length < 2) return null;
    const config = readRunConfig(store);
    const judge = opts.judge ?? runJudgeId(config);
    const comparisons = languageCells(store, judge, config.compare).map((c) => {
      let model: LanguageComparison["model"];
      try {
        model = fitLanguageModel(c.cells, {
          ...(opts.covType && { covType: opts.covType }),
          ...(opts.level && { level: opts.level }),
        });
      } catch (e) {
        model = { error: (e as Error).message };
      }
      return {
        comparison: c.comparison,
        reference: c.reference,
        model,
        gaps: languageGaps(c.cells),
      };
    });
    return { languages, comparisons };
  } finally {
    store.close();
  }
}

/** The section title every surface uses. */
export const LANGUAGE_TITLE = "Language × treatment";

/** One sentence for the interaction test, the same words on every surface. */
export function interactionSentence(c: LanguageComparison): string {
  if ("error" in c.model) return `${c.comparison} vs ${c.reference}: no model (${c.model.error})`;
  const i = c.model.interaction;
  if (i.chi2 === null || i.p === null) {
    return `${c.comparison} vs ${c.reference}: the language × treatment interaction could not be estimated`;
  }
  const p = i.p < 1e-4 ? i.p.toExponential(1) : i.p.toFixed(4);
  return `${c.comparison} vs ${c.reference}: language × treatment interaction χ²(${i.df}) = ${i.chi2.toFixed(2)}, p = ${p} (${c.model.covType} SEs)`;
}

/** A gap in percentage points with its sign, or a dash. */
export function gapPoints(gap: number | null): string {
  return gap === null ? "—" : `${gap >= 0 ? "+" : ""}${(gap * 100).toFixed(1)} pp`;
}
