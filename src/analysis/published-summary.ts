/**
 * Checks the study's published per-cell summary tables
 * (../shared/data/paper/summary_data/results_*.csv) against candor's
 * statistics, and recomputes the headline numbers they support.
 *
 * The tables give accuracies, "Cohen's g", the discordant odds ratio, the exact
 * McNemar p and its FDR adjustment per cell, but not the counts. Because their
 * "g" is |b−c|/√(b+c) and the odds ratio is b/c, the discordant counts can be
 * recovered: c = g²(OR+1)/(OR−1)², b = OR·c (b = g² when OR = ∞). From those
 * we recompute the exact McNemar p; and from the published p-values the
 * Benjamini–Hochberg adjustment within each (model, task, test type) family.
 * Agreement confirms both the definitions and candor's implementations.
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { DataError } from "../errors.js";
import { benjaminiHochberg } from "../stats/fdr.js";
import { mcnemarExact } from "../stats/mcnemar.js";

export interface PublishedCell {
  readonly context: string;
  /** "original" / "original_combined" for no-belief cells, null for sycophancy cells. */
  readonly template: string | null;
  readonly testType: "Normal" | "Sycophancy";
  readonly model: string;
  readonly dataset: string;
  readonly referenceAccuracy: number;
  readonly treatmentAccuracy: number;
  readonly rawDiffPp: number;
  readonly studyG: number | null;
  readonly oddsRatio: number | "inf" | null;
  readonly p: number | null;
  readonly pFdr: number | null;
}

const num = z.string().transform((s, ctx) => {
  const v = Number(s);
  if (s.trim() === "" || !Number.isFinite(v))
    ctx.addIssue({ code: "custom", message: `a number, got '${s}'` });
  return v;
});
const numOrNa = z.string().transform((s, ctx) => {
  if (s === "N/A" || s === "") return null;
  const v = Number(s);
  if (!Number.isFinite(v)) ctx.addIssue({ code: "custom", message: `a number or N/A, got '${s}'` });
  return v;
});
const record = z.object({
  Amendment_type: z.string(),
  "Original Accuracy (%)": num,
  "Raw Diff (pp)": num,
  "Cohen's g": numOrNa,
  "Odds Ratio": z.string(),
  "p-value": numOrNa,
  "p-value (FDR corrected)": numOrNa,
  Model: z.string().min(1),
  Dataset: z.string().min(1),
  Test_Type: z.enum(["Normal", "Sycophancy"]),
});

export function readPublishedSummary(file: string): PublishedCell[] {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true });
  } catch (e) {
    throw new DataError(file, undefined, `a CSV with a header row (${(e as Error).message})`);
  }
  const rows = z.array(z.record(z.string(), z.string())).parse(raw);
  return rows.map((r, i) => {
    const parsed = record.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DataError(
        file,
        `data row ${i + 1}, column ${String(issue.path[0])}`,
        issue.message,
      );
    }
    const treatmentKey = Object.keys(r).find(
      (k) => k.endsWith("Accuracy (%)") && !k.startsWith("Original"),
    );
    const treatment = treatmentKey ? Number(r[treatmentKey]) : Number.NaN;
    if (!Number.isFinite(treatment))
      throw new DataError(file, `data row ${i + 1}`, "a fine-tuned/system-prompt accuracy column");
    const d = parsed.data;
    const [context, template] = d.Amendment_type.split(/\r?\n/);
    const or = d["Odds Ratio"].trim();
    return {
      context: context!.trim(),
      template: template?.trim() ?? null,
      testType: d.Test_Type,
      model: d.Model,
      dataset: d.Dataset,
      referenceAccuracy: d["Original Accuracy (%)"],
      treatmentAccuracy: treatment,
      rawDiffPp: d["Raw Diff (pp)"],
      studyG: d["Cohen's g"],
      oddsRatio: or === "∞" ? "inf" : or === "N/A" || or === "" ? null : Number(or),
      p: d["p-value"],
      pFdr: d["p-value (FDR corrected)"],
    };
  });
}

/** Discordant counts implied by the published g statistic and odds ratio (null if not identifiable). */
export function recoverDiscordant(
  g: number | null,
  or: number | "inf" | null,
): { b: number; c: number } | null {
  if (g === null || or === null || g === 0) return null;
  if (or === "inf") return { b: Math.round(g * g), c: 0 };
  if (Math.abs(or - 1) < 0.05) return null; // b ≈ c: g carries no information on size
  const c = Math.round((g * g * (or + 1)) / (or - 1) ** 2);
  const b = Math.round(or * c);
  if (c <= 0 && b <= 0) return null;
  // Accept only if the rounded counts reproduce the published (rounded) g and OR.
  const g2 = Math.abs(b - c) / Math.sqrt(b + c);
  if (Math.abs(g2 - g) > 0.0011) return null;
  if (c > 0 && Math.abs(b / c - or) > 0.0051 * Math.max(1, or)) return null;
  return { b, c };
}

export interface SummaryReproduction {
  readonly cells: number;
  /** Mean over models of the error-rate increase (pp) in unmodified no-belief cells, per task. */
  readonly unmodifiedIncreaseByTask: Record<string, number>;
  /** Mean error-rate increase (pp) per context, no-belief and user-belief cells. */
  readonly increaseByContext: Record<string, { noBelief: number; userBelief: number }>;
  readonly meanIncrease: { noBelief: number; userBelief: number };
  /** Cells whose discordant counts could be recovered, and of those whose exact McNemar p matches. */
  readonly mcnemar: { recovered: number; pMatches: number; mismatches: PublishedCell[] };
  /** Cells with a published FDR p, and of those whose BH recomputation (per model × task × test) matches. */
  readonly fdr: { cells: number; matches: number };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function reproduceSummary(cells: readonly PublishedCell[]): SummaryReproduction {
  const normal = cells.filter((c) => c.testType === "Normal");
  const syco = cells.filter((c) => c.testType === "Sycophancy");
  const byTask: Record<string, number> = {};
  for (const ds of [...new Set(normal.map((c) => c.dataset))].sort()) {
    byTask[ds] = -mean(
      normal.filter((c) => c.dataset === ds && c.context === "unmodified").map((c) => c.rawDiffPp),
    );
  }
  const byContext: Record<string, { noBelief: number; userBelief: number }> = {};
  for (const ctx of [...new Set(cells.map((c) => c.context))].sort()) {
    byContext[ctx] = {
      noBelief: -mean(normal.filter((c) => c.context === ctx).map((c) => c.rawDiffPp)),
      userBelief: -mean(syco.filter((c) => c.context === ctx).map((c) => c.rawDiffPp)),
    };
  }
  let recovered = 0;
  let pMatches = 0;
  const mismatches: PublishedCell[] = [];
  for (const c of cells) {
    const counts = recoverDiscordant(c.studyG, c.oddsRatio);
    if (!counts || c.p === null) continue;
    recovered++;
    const p = mcnemarExact({ a: 0, b: counts.b, c: counts.c, d: 0 }).p;
    if (p !== null && Math.abs(p - c.p) <= 0.00005 + 1e-12) pMatches++;
    else mismatches.push(c);
  }
  const families = new Map<string, PublishedCell[]>();
  for (const c of cells) {
    const k = [c.model, c.dataset, c.testType].join("|");
    if (!families.has(k)) families.set(k, []);
    families.get(k)!.push(c);
  }
  let fdrCells = 0;
  let fdrMatches = 0;
  for (const fam of families.values()) {
    const adj = benjaminiHochberg(fam.map((c) => c.p)).adjusted;
    fam.forEach((c, i) => {
      if (c.pFdr === null || adj[i] === null) return;
      fdrCells++;
      // Published p-values are rounded to 4 decimals, which the adjustment can amplify by m/rank.
      if (Math.abs(adj[i]! - c.pFdr) <= 0.0005) fdrMatches++;
    });
  }
  return {
    cells: cells.length,
    unmodifiedIncreaseByTask: byTask,
    increaseByContext: byContext,
    meanIncrease: {
      noBelief: -mean(normal.map((c) => c.rawDiffPp)),
      userBelief: -mean(syco.map((c) => c.rawDiffPp)),
    },
    mcnemar: { recovered, pMatches, mismatches },
    fdr: { cells: fdrCells, matches: fdrMatches },
  };
}
