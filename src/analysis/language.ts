/**
 * `analyze` on a run that holds several languages: per comparison, the language × treatment
 * model (language-model.ts) and the per-language gap. Runs in one language get nothing here.
 */
import { join } from "node:path";
import type { AuditConfig } from "../config/schema.js";
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

/** The summary's per-language gaps (no model: an audit's last step stays cheap). */
export interface LanguageGapSummary {
  readonly languages: readonly string[];
  readonly comparisons: readonly {
    readonly comparison: string;
    readonly reference: string;
    readonly gaps: LanguageModelResult["gaps"];
  }[];
}

export function languageGapSummary(
  store: RunStore,
  judge: string,
  compare: AuditConfig["compare"],
): LanguageGapSummary | undefined {
  const languages = runTrialLanguages(store);
  if (languages.length < 2) return undefined;
  return {
    languages,
    comparisons: languageCells(store, judge, compare).map((c) => ({
      comparison: c.comparison,
      reference: c.reference,
      gaps: languageGaps(c.cells),
    })),
  };
}

const ratePct = (r: number | null) => (r === null ? "—" : `${(r * 100).toFixed(1)}%`);

/** The per-language gap table as terminal lines (the same on `summary` and `analyze`). */
export function languageGapLines(gaps: LanguageModelResult["gaps"], indent = "  "): string[] {
  const head = ["language", "reference error", "treatment error", "gap", "n"];
  const rows = gaps.map((g) => [
    g.language,
    `${ratePct(g.reference.rate)} of ${g.reference.n}`,
    `${ratePct(g.treatment.rate)} of ${g.treatment.n}`,
    gapPoints(g.gap),
    String(g.reference.n + g.treatment.n),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `${indent}${r.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ")}`;
  return [line(head), ...rows.map(line)];
}
