/**
 * The report's model sections (Model 1 headline per task, Model 3 contexts,
 * Model 4 sycophancy) and the per-cell McNemar p shown beside Model 1. Read
 * from counts the store answers in SQL (analysis/analyze-counts.ts), so no
 * row frame is built for a run's report; statistics come from src/analysis.
 */
import { type Analysis, isFailure } from "../analysis/analyze.js";
import {
  analyzeCounts,
  type ComparisonCounts,
  comparisonCounts,
} from "../analysis/analyze-counts.js";
import { type CovType, fitStudyModel, type ModelResult } from "../analysis/fit-model.js";
import type { PatternTable } from "../analysis/patterns.js";
import type { AuditConfig } from "../config/schema.js";
import { CandorError } from "../errors.js";
import { allRows, getCategorical, presentLevels, selectRows } from "../stats/frame.js";
import type { RunStore } from "../store/run-store.js";
import type { ContextLabel, TaskName } from "../types.js";
import { CONTEXTS, RELIABILITY_TASKS } from "../types.js";
import {
  type ContextEffectRow,
  type Estimate,
  type HeadlineRow,
  type ModelFailureNote,
  type ReportData,
  type Section,
  type SycophancyRow,
  unavailable,
} from "./model.js";

const RELIABILITY: readonly TaskName[] = RELIABILITY_TASKS;

type AnalysisSections = Pick<ReportData, "headline" | "contexts" | "sycophancy" | "modelFailures">;

export function collectAnalysis(
  store: RunStore,
  file: string,
  config: Pick<AuditConfig, "compare">,
  judge: string,
  covType: CovType,
): AnalysisSections {
  if (!config.compare.some((c) => c.treatments.length > 0)) {
    const reason =
      "the run's config has no `compare:` pairs (reference vs treatment), so there is no gap to estimate";
    return {
      headline: unavailable(reason),
      contexts: unavailable(reason),
      sycophancy: unavailable(reason),
      modelFailures: [],
    };
  }
  let counts: ComparisonCounts[];
  try {
    counts = comparisonCounts(store, file, config, judge);
  } catch (e) {
    const reason = e instanceof CandorError ? e.message : String(e);
    return {
      headline: unavailable(reason),
      contexts: unavailable(reason),
      sycophancy: unavailable(reason),
      modelFailures: [],
    };
  }
  const analysis = analyzeCounts(counts, { covType, models: ["model1", "model3", "model4"] });
  const tables = new Map(counts.map((c) => [c.comparison, c.patterns]));
  const failures: ModelFailureNote[] = [];
  for (const c of analysis.comparisons) {
    for (const m of c.models) {
      if (isFailure(m)) failures.push({ comparison: c.comparison, model: m.id, error: m.error });
    }
  }
  return {
    headline: headlineSection(tables, analysis, covType, failures),
    contexts: contextSection(analysis),
    sycophancy: sycophancySection(tables, analysis, covType, failures),
    modelFailures: failures,
  };
}

const pct = (x: number | null) => (x === null ? null : x * 100);

function estimatePp(w: {
  estimate: number | null;
  ciLower: number | null;
  ciUpper: number | null;
  p: number | null;
}): Estimate {
  return { estimate: pct(w.estimate), ciLower: pct(w.ciLower), ciUpper: pct(w.ciUpper), p: w.p };
}

function warningsOf(m: ModelResult): string[] {
  return m.warnings.map((w) => `${w.code}: ${w.message}`);
}

/** The comparison's covariate patterns (every one of them: the table holds this comparison only). */
function comparisonTable(tables: ReadonlyMap<string, PatternTable>, comparison: string) {
  const table = tables.get(comparison);
  if (!table) throw new Error(`no counts for comparison ${comparison}`);
  return { table, rows: allRows(table.frame.n) };
}

function tasksIn(table: PatternTable, rows: Int32Array): string[] {
  const present = presentLevels(getCategorical(table.frame, "dataset"), rows);
  return [
    ...RELIABILITY.filter((t) => present.includes(t)),
    ...present.filter((t) => !(RELIABILITY as readonly string[]).includes(t)).sort(),
  ];
}

function tryFit(
  table: PatternTable,
  id: "model1" | "model4",
  rows: Int32Array,
  covType: CovType,
): ModelResult | string {
  try {
    return fitStudyModel(table, id, { rows, covType });
  } catch (e) {
    return (e as Error).message;
  }
}

function headlineSection(
  tables: ReadonlyMap<string, PatternTable>,
  analysis: Analysis,
  covType: CovType,
  failures: ModelFailureNote[],
): Section<HeadlineRow[]> {
  const out: HeadlineRow[] = [];
  for (const c of analysis.comparisons) {
    const { table, rows: cRows } = comparisonTable(tables, c.comparison);
    const models = presentLevels(getCategorical(table.frame, "model"), cRows);
    const reference = models.join(", ");
    const add = (task: string, m: ModelResult | string, rows: Int32Array) => {
      const cell =
        task === "all"
          ? undefined
          : c.cells.find(
              (x) =>
                x.dataset === task && x.beliefGroup === "no_belief" && x.context === "unmodified",
            );
      if (typeof m === "string") {
        failures.push({ comparison: c.comparison, model: `model1 (${task})`, error: m });
        return;
      }
      const e = m.marginalEffects.find((x) => x.label === "fine-tuning (all rows)");
      if (!e) {
        failures.push({
          comparison: c.comparison,
          model: `model1 (${task})`,
          error: "no reference or no treatment rows",
        });
        return;
      }
      out.push({
        comparison: c.comparison,
        reference,
        treatment: c.comparison,
        task,
        ...estimatePp(e),
        n: e.n,
        referenceRate: observedRates(table, rows)[0],
        treatmentRate: observedRates(table, rows)[1],
        mcnemarP: cell?.p ?? null,
        pairs: cell?.pairs ?? null,
        warnings: warningsOf(m),
      });
    };
    for (const task of tasksIn(table, cRows)) {
      const tRows = selectRows(table.frame, cRows, "dataset", [task]);
      add(task, tryFit(table, "model1", tRows, covType), tRows);
    }
    const overall = c.models.find((m) => m.id === "model1");
    if (overall && !isFailure(overall)) add("all", overall, cRows);
  }
  return out.length > 0
    ? { available: true, data: out, notes: [modelNote(covType)] }
    : unavailable(
        "Model 1 could not be estimated for any task (see the model notes); it needs judged responses of both subjects in the unmodified context without a user belief",
      );
}

function modelNote(covType: CovType): string {
  return `The study-comparable number: average marginal effect of the treatment in percentage points from the study's Model 1 (logistic GLM, unmodified context, no user belief), fitted within each task and over all tasks; Wald 95% CI and p with ${covType === "cluster" ? "item-clustered" : "non-robust (as in the study)"} standard errors. McNemar: exact test on the same paired responses.`;
}

/** Observed error rates (reference, treatment) of the responses Model 1 uses among the patterns `rows`. */
function observedRates(table: PatternTable, rows: Int32Array): [number | null, number | null] {
  let sel = selectRows(table.frame, rows, "amendment_group", ["unmodified"]);
  sel = selectRows(table.frame, sel, "prompt_group", ["original"]);
  const ft = getCategorical(table.frame, "is_finetuned");
  const n = [0, 0];
  const e = [0, 0];
  for (const p of sel) {
    const arm = ft.levels[ft.codes[p]!] === "1" ? 1 : 0;
    n[arm]! += table.counts[p]!;
    e[arm]! += table.successes[p]!;
  }
  return [n[0]! > 0 ? e[0]! / n[0]! : null, n[1]! > 0 ? e[1]! / n[1]! : null];
}

function contextSection(analysis: Analysis): Section<ContextEffectRow[]> {
  const out: ContextEffectRow[] = [];
  for (const c of analysis.comparisons) {
    const m3 = c.models.find((m) => m.id === "model3");
    if (!m3 || isFailure(m3)) continue;
    for (const e of m3.marginalEffects) {
      const prefix = "fine-tuning | amendment_type=";
      if (!e.label.startsWith(prefix)) continue;
      const context = e.label.slice(prefix.length) as ContextLabel;
      const contrast = m3.effectContrasts.find(
        (x) => x.label === `amendment_type=${context} − unmodified`,
      );
      out.push({
        comparison: c.comparison,
        context,
        ...estimatePp(e),
        n: e.n,
        pVsUnmodified: contrast?.p ?? null,
      });
    }
  }
  out.sort(
    (a, b) =>
      a.comparison.localeCompare(b.comparison) ||
      CONTEXTS.indexOf(a.context) - CONTEXTS.indexOf(b.context),
  );
  return out.length > 0
    ? {
        available: true,
        data: out,
        notes: [
          "Average marginal effect of the treatment per interpersonal context (percentage points) from the study's Model 3 (treatment × detailed context, no user belief), with Wald 95% CIs; p vs unmodified tests the difference between the two effects.",
        ],
      }
    : unavailable(
        "Model 3 could not be estimated (see the model notes); it needs judged no-belief responses of both subjects",
      );
}

function sycophancyRow(comparison: string, task: string, m: ModelResult): SycophancyRow | null {
  const find = (label: string) => m.marginalEffects.find((x) => x.label === label);
  const without = find("fine-tuning | prompt_group=original");
  const withB = find("fine-tuning | prompt_group=user_opinion");
  if (!without || !withB) return null;
  const diff = m.effectContrasts.find((x) => x.label === "prompt_group=user_opinion − original");
  return {
    comparison,
    task,
    withoutBelief: { ...estimatePp(without), n: without.n },
    withBelief: { ...estimatePp(withB), n: withB.n },
    difference: diff ? estimatePp(diff) : { estimate: null, ciLower: null, ciUpper: null, p: null },
    warnings: warningsOf(m),
  };
}

function sycophancySection(
  tables: ReadonlyMap<string, PatternTable>,
  analysis: Analysis,
  covType: CovType,
  failures: ModelFailureNote[],
): Section<SycophancyRow[]> {
  const out: SycophancyRow[] = [];
  for (const c of analysis.comparisons) {
    const { table, rows: cRows } = comparisonTable(tables, c.comparison);
    for (const task of tasksIn(table, cRows)) {
      const m = tryFit(table, "model4", selectRows(table.frame, cRows, "dataset", [task]), covType);
      if (typeof m === "string") {
        failures.push({ comparison: c.comparison, model: `model4 (${task})`, error: m });
        continue;
      }
      const row = sycophancyRow(c.comparison, task, m);
      if (row) out.push(row);
    }
    const m4 = c.models.find((m) => m.id === "model4");
    if (m4 && !isFailure(m4)) {
      const row = sycophancyRow(c.comparison, "all", m4);
      if (row) out.push(row);
    }
  }
  return out.length > 0
    ? {
        available: true,
        data: out,
        notes: [
          "Treatment effect on the error rate (percentage points) without a user belief (original and neutral templates) and with one (the user states a wrong answer or doubts the right one), from the study's Model 4 (treatment × belief group), fitted within each task and over all tasks; Wald 95% CIs. The difference is the extra gap a stated belief adds — sycophancy.",
        ],
      }
    : unavailable(
        "Model 4 could not be estimated: it needs judged responses of both subjects with and without a stated user belief (the config's `beliefs:` must include original/original_neutral and incorrect/correct)",
      );
}
