/**
 * `candor analyze <run-or-dir>`: fit the study's Models 1–4 and the per-cell
 * paired table on a candor run, a directory in the study's released layout, or
 * an analysis-rows CSV, and print them in the familiar statsmodels-like layout
 * (or JSON). All computation lives in src/analysis; this file only parses flags
 * and renders.
 */
import type { Command } from "commander";
import {
  type Analysis,
  analyzeFrame,
  type ComparisonAnalysis,
  isFailure,
} from "../../analysis/analyze.js";
import type { CellRow } from "../../analysis/cell-table.js";
import type { ModelResult } from "../../analysis/fit-model.js";
import { analyzeRunLanguages } from "../../analysis/language.js";
import { detectSource, loadAnalysisFrame } from "../../analysis/load.js";
import type { ModelId } from "../../analysis/models.js";
import {
  readPublishedSummary,
  reproduceSummary,
  type SummaryReproduction,
} from "../../analysis/published-summary.js";
import { CandorError } from "../../errors.js";
import type { WaldResult } from "../../stats/wald.js";
import { formatLanguages } from "../language-format.js";

interface AnalyzeCliOptions {
  model: string;
  includeLength?: boolean;
  json?: boolean;
  cluster?: boolean;
  judge?: string;
  comparison?: string[];
  cells?: boolean;
  studyCells?: boolean;
  refusals?: string;
  lenientEvaluation?: boolean;
  bootstrap: string;
  seed: string;
}

/** `--model` value → model ids (Model 1 with length only when asked for). */
export function selectModels(model: string, includeLength: boolean): ModelId[] {
  const pick: Record<string, ModelId[]> = {
    "1": ["model1"],
    "2": ["model2"],
    "3": ["model3"],
    "4": ["model4"],
    all: ["model1", "model2", "model3", "model4"],
  };
  const ids = pick[model];
  if (!ids) throw new CandorError(`--model must be 1, 2, 3, 4 or all, got '${model}'`);
  if (includeLength && ids.includes("model1"))
    ids.splice(ids.indexOf("model1") + 1, 0, "model1_length");
  if (includeLength && !ids.includes("model1")) ids.unshift("model1_length");
  return ids;
}

export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .description("Fit the study's Models 1–4 (logistic GLM, AMEs) and per-cell McNemar tests")
    .argument(
      "<run-or-dir>",
      "candor run directory, study-layout directory, analysis-rows .csv, or a published summary_data/results_*.csv",
    )
    .option("--model <which>", "1, 2, 3, 4 or all", "all")
    .option("--include-length", "also fit Model 1 with response length as a covariate")
    .option(
      "--cluster",
      "cluster-robust standard errors by item (default: non-robust, as the study)",
    )
    .option("--comparison <name...>", "only these comparisons (e.g. warm)")
    .option("--judge <id>", "candor runs: use this judge's verdicts")
    .option("--cells", "print the per-cell McNemar table (always included in --json)")
    .option(
      "--study-cells",
      "per-cell table as the released tables: no-belief cells use the 'original' template only",
    )
    .option("--refusals <source>", "study layout: phrases (default) or column", "phrases")
    .option(
      "--lenient-evaluation",
      "study layout: count evaluations other than INCORRECT as correct",
    )
    .option(
      "--bootstrap <n>",
      "replicates for the paired cluster bootstrap of error-rate differences (0: skip)",
      "2000",
    )
    .option("--seed <n>", "bootstrap seed", "20250721")
    .option("--json", "print machine-readable JSON")
    .action(async (target: string, opts: AnalyzeCliOptions) => {
      const replicates = Number(opts.bootstrap);
      const seed = Number(opts.seed);
      if (!Number.isInteger(replicates) || replicates < 0)
        throw new CandorError(
          `--bootstrap must be a non-negative integer, got '${opts.bootstrap}'`,
        );
      if (!Number.isInteger(seed))
        throw new CandorError(`--seed must be an integer, got '${opts.seed}'`);
      const models = selectModels(opts.model, opts.includeLength ?? false);
      if (opts.refusals !== "phrases" && opts.refusals !== "column") {
        throw new CandorError(`--refusals must be 'phrases' or 'column', got '${opts.refusals}'`);
      }
      if (detectSource(target).kind === "summary") {
        const rep = reproduceSummary(readPublishedSummary(target));
        process.stdout.write(
          opts.json ? `${JSON.stringify(rep, finiteOnly, 2)}\n` : formatSummary(rep),
        );
        return;
      }
      const loaded = await loadAnalysisFrame(target, {
        refusals: opts.refusals,
        ...(opts.lenientEvaluation ? { lenientEvaluation: true } : {}),
        ...(opts.judge ? { judge: opts.judge } : {}),
      });
      for (const w of loaded.import?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      const analysis = analyzeFrame(loaded.frame, {
        models,
        covType: opts.cluster ? "cluster" : "nonrobust",
        cells: opts.studyCells ? { noBeliefTemplates: ["original"] } : {},
        bootstrapReplicates: replicates,
        seed,
        ...(opts.comparison ? { comparisons: opts.comparison } : {}),
      });
      if (analysis.comparisons.length === 0) {
        throw new CandorError(
          `${target}: no comparison to analyse${opts.comparison ? ` (asked for ${opts.comparison.join(", ")})` : ""}`,
        );
      }
      const languages =
        loaded.source.kind === "run"
          ? analyzeRunLanguages(loaded.source.dir, {
              ...(opts.judge ? { judge: opts.judge } : {}),
              covType: opts.cluster ? "cluster" : "nonrobust",
            })
          : null;
      if (opts.json) {
        const out = {
          source: loaded.source,
          import: loaded.import ?? null,
          ...analysis,
          ...(languages && { languages }),
        };
        process.stdout.write(`${JSON.stringify(out, finiteOnly, 2)}\n`);
        return;
      }
      process.stdout.write(formatAnalysis(analysis, opts.cells ?? false));
      if (languages) process.stdout.write(formatLanguages(languages));
    });
}

/** JSON has no NaN/Infinity; the library already avoids them, this is a last guard. */
function finiteOnly(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

// ---------- text rendering ----------

const f = (x: number | null, digits: number) => (x === null ? "—" : x.toFixed(digits));
const fp = (p: number | null) =>
  p === null ? "—" : p === 0 ? "<1e-300" : p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
const pp = (x: number | null, digits = 2) => (x === null ? "—" : (x * 100).toFixed(digits));

function table(head: string[], rows: string[][], leftCols = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const rule = "-".repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [rule, line(head), rule, ...rows.map(line), rule];
}

function waldCells(
  w: WaldResult,
  scale: (x: number | null) => string,
  se: (x: number | null) => string,
): string[] {
  return [scale(w.estimate), se(w.se), f(w.z, 3), fp(w.p), scale(w.ciLower), scale(w.ciUpper)];
}

export function formatModel(m: ModelResult): string {
  const lines: string[] = [];
  lines.push(m.title, `  formula: ${m.formula}`, `  rows:    ${m.filter}`);
  lines.push(
    `  No. Observations: ${m.nobs}   Df Model: ${m.fit.dfModel}   Df Residuals: ${m.fit.dfResid}   Covariance: ${m.covType}${m.nClusters !== null ? ` (${m.nClusters} item clusters)` : ""}`,
    `  Log-Likelihood: ${m.fit.llf.toFixed(3)}   Deviance: ${m.fit.deviance.toFixed(3)}   Pearson chi2: ${m.fit.pearsonChi2.toFixed(1)}   Pseudo R² (CS): ${m.fit.pseudoR2CS.toFixed(4)}   Iterations: ${m.fit.iterations}${m.fit.converged ? "" : " (NOT converged)"}`,
  );
  const level = "[0.025    0.975]".split(/\s+/);
  lines.push(
    ...table(
      ["", "coef", "std err", "z", "P>|z|", level[0]!, level[1]!],
      m.coefficients.map((c) => [
        c.aliased ? `${c.name} (aliased)` : c.name,
        ...waldCells(
          c,
          (x) => f(x, 4),
          (x) => f(x, 4),
        ),
      ]),
    ),
  );
  lines.push(
    "",
    "  Average marginal effects (percentage points; counterfactual prediction, delta-method SE):",
  );
  lines.push(
    ...table(
      ["effect", "AME pp", "SE pp", "z", "P>|z|", "[0.025", "0.975]", "N"],
      m.marginalEffects.map((e) => [
        e.label,
        ...waldCells(
          e,
          (x) => pp(x),
          (x) => pp(x),
        ),
        String(e.n),
      ]),
    ),
  );
  if (m.effectContrasts.length > 0) {
    lines.push("", "  Differences between marginal effects (pp):");
    lines.push(
      ...table(
        ["contrast", "Δ pp", "SE pp", "z", "P>|z|", "[0.025", "0.975]"],
        m.effectContrasts.map((c) => [
          c.label,
          ...waldCells(
            c,
            (x) => pp(x),
            (x) => pp(x),
          ),
        ]),
      ),
    );
  }
  if (m.logOddsContrasts.length > 0) {
    lines.push("", "  Fine-tuning effect on the log-odds scale (the authors' coefficient tests):");
    lines.push(
      ...table(
        ["linear combination", "estimate", "std err", "z", "P>|z|", "[0.025", "0.975]"],
        m.logOddsContrasts.map((c) => [
          c.label,
          ...waldCells(
            c,
            (x) => f(x, 4),
            (x) => f(x, 4),
          ),
        ]),
      ),
    );
  }
  for (const w of m.warnings)
    lines.push(`  WARNING (${w.code}): ${w.message}${w.terms ? `: ${w.terms.join(", ")}` : ""}`);
  return lines.join("\n");
}

function formatCells(cells: readonly CellRow[]): string {
  const rows = cells.map((c) => [
    c.model,
    c.dataset,
    c.beliefGroup,
    c.context,
    String(c.pairs),
    pp(c.referenceErrorRate, 1),
    pp(c.treatmentErrorRate, 1),
    c.differencePp.toFixed(2),
    fp(c.p),
    fp(c.pFdr),
    f(c.cohensG, 3),
    f(c.studyG, 3),
    c.oddsRatio === null ? (c.oddsRatioNote === "infinite" ? "∞" : "—") : c.oddsRatio.toFixed(2),
  ]);
  return table(
    [
      "model",
      "task",
      "belief",
      "context",
      "pairs",
      "err ref %",
      "err treat %",
      "Δ pp",
      "McNemar p",
      "FDR p",
      "Cohen g",
      "study g",
      "OR",
    ],
    rows,
    4,
  ).join("\n");
}

export function formatComparison(c: ComparisonAnalysis, withCells: boolean): string {
  const out = [`==== comparison: ${c.comparison} (${c.rows} rows) ====`, ""];
  if (c.differences.length > 0) {
    const d0 = c.differences[0]!;
    out.push(
      `Raw error rates (treatment − reference; paired cluster bootstrap by item, ${d0.replicates} replicates, seed ${d0.seed}):`,
      ...table(
        [
          "model",
          "belief",
          "err ref %",
          "err treat %",
          "Δ pp",
          "SE pp",
          "[0.025",
          "0.975]",
          "items",
        ],
        c.differences.map((d) => [
          d.model,
          d.beliefGroup,
          pp(d.referenceErrorRate, 1),
          pp(d.treatmentErrorRate, 1),
          d.differencePp.toFixed(2),
          d.sePp.toFixed(2),
          d.ciLowerPp.toFixed(2),
          d.ciUpperPp.toFixed(2),
          String(d.items),
        ]),
        2,
      ),
      "",
    );
  }
  for (const m of c.models) {
    out.push(isFailure(m) ? `${m.id}: could not be fitted: ${m.error}` : formatModel(m), "");
  }
  if (withCells) {
    out.push(
      "Per-cell paired tests (exact McNemar; BH FDR across contexts within model × task × belief group):",
    );
    out.push(formatCells(c.cells));
    if (c.duplicatePairs > 0)
      out.push(`note: ${c.duplicatePairs} duplicate responses ignored when pairing`);
    out.push("");
  } else {
    out.push(
      `(${c.cells.length} per-cell paired tests computed; show them with --cells or --json)`,
      "",
    );
  }
  return out.join("\n");
}

export function formatSummary(r: SummaryReproduction): string {
  const lines = [
    `Published per-cell summary: ${r.cells} cells`,
    `Exact McNemar p recomputed from discordant counts recovered from (g, odds ratio): ${r.mcnemar.pMatches}/${r.mcnemar.recovered} match`,
    `Benjamini–Hochberg recomputed per model × task × test type from the published p: ${r.fdr.matches}/${r.fdr.cells} match`,
    "",
    "Error-rate increase, unmodified context, no belief (mean over models, pp):",
    ...Object.entries(r.unmodifiedIncreaseByTask).map(
      ([t, v]) => `  ${t.padEnd(12)} ${v >= 0 ? "+" : ""}${v.toFixed(2)}`,
    ),
    "",
    "Error-rate increase by context (mean over models × tasks, pp):",
    ...table(
      ["context", "no belief", "user belief"],
      Object.entries(r.increaseByContext).map(([c, v]) => [
        c,
        v.noBelief.toFixed(2),
        v.userBelief.toFixed(2),
      ]),
    ),
    `all cells: no belief ${r.meanIncrease.noBelief.toFixed(2)} pp, user belief ${r.meanIncrease.userBelief.toFixed(2)} pp`,
  ];
  return `${lines.join("\n")}\n`;
}

export function formatAnalysis(a: Analysis, withCells: boolean): string {
  return a.comparisons.map((c) => formatComparison(c, withCells)).join("\n");
}
