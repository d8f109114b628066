/**
 * Gathers everything a report shows from a run store. Statistics come from
 * src/analysis (Models 1, 3, 4 and the per-cell McNemar table) and src/stats
 * (Wilson, Wald); this module only selects rows and reshapes results.
 */

import { type Analysis, analyzeFrame, isFailure } from "../analysis/analyze.js";
import { type CovType, fitStudyModel, type ModelResult } from "../analysis/fit-model.js";
import { leadText, studyComparableSentence } from "../analysis/headline.js";
import { type Summary, summarizeStore } from "../analysis/summary.js";
import type { AuditConfig } from "../config/schema.js";
import { CandorError } from "../errors.js";
import { runJudgeId } from "../judge/run-judge.js";
import {
  allRows,
  type Frame,
  getCategorical,
  getNumeric,
  presentLevels,
  selectRows,
} from "../stats/frame.js";
import { loadAnalysisRowsFrame } from "../store/analysis-rows.js";
import { readRunConfig } from "../store/run-config.js";
import { RunStore } from "../store/run-store.js";
import type { ContextLabel, TaskName } from "../types.js";
import { CONTEXTS, RELIABILITY_TASKS } from "../types.js";
import { readDatasets, readEngineSettings, readWrongBeliefs } from "./collect-run-info.js";
import {
  collectControls,
  collectFlips,
  collectJudgeCheck,
  collectWarmth,
  collectWorstCases,
} from "./collect-store.js";
import { judgeNotes } from "./judge-notes.js";
import {
  type ContextEffectRow,
  type Estimate,
  type HeadlineRow,
  type LeadData,
  type ModelFailureNote,
  type RateRow,
  type ReportData,
  type Section,
  type SycophancyRow,
  unavailable,
} from "./model.js";
import { collectRuleCheck } from "./rule-check-section.js";
import { resolveRun } from "./run-path.js";
import { loadTrajectory } from "./trajectory.js";

export interface CollectOptions {
  /** Judge whose verdicts to report (default: the judge the run's config names). */
  judge?: string;
  covType?: CovType;
  /** Worst cases per comparison. */
  worst?: number;
  /** Fixed "generated at" time (tests, reproducible output). */
  now?: Date;
  /** A `candor tune trajectory` JSON to show warmth across checkpoints. */
  trajectory?: string;
}

const RELIABILITY: readonly TaskName[] = RELIABILITY_TASKS;

export function readConfig(store: RunStore): AuditConfig {
  return readRunConfig(store);
}

export function collectReport(runArg: string, opts: CollectOptions = {}): ReportData {
  const loc = resolveRun(runArg);
  const store = RunStore.open(loc.file, { readonly: true });
  try {
    const config = readConfig(store);
    const judge = opts.judge ?? runJudgeId(config);
    const covType = opts.covType ?? "nonrobust";
    const summary = summarizeStore(store, judge, config.compare);
    const judges = store.db
      .prepare("SELECT DISTINCT judge FROM judgments ORDER BY judge")
      .pluck()
      .all() as string[];
    const compare = config.compare.flatMap((c) =>
      c.treatments.map((t) => ({ reference: c.reference, treatment: t })),
    );
    const tasks = config.tasks.map((t) => t.task);
    const run = {
      dir: loc.dir,
      name: config.name,
      createdAt: store.getMeta("created_at") ?? null,
      generatedAt: (opts.now ?? new Date()).toISOString(),
      judge,
      judges,
      judgeNotes: judgeNotes(store, config, judge),
      subjects: store
        .subjects()
        .map((s) => ({ id: s.id, model: s.model, persona: s.persona ?? null })),
      tasks,
      compare,
      totals: summary.totals,
      covType,
      datasets: readDatasets(store),
      wrongBeliefs: readWrongBeliefs(store),
      engine: readEngineSettings(store),
    };

    const roleOf = (subject: string): RateRow["role"] =>
      compare.some((c) => c.reference === subject)
        ? "reference"
        : compare.some((c) => c.treatment === subject)
          ? "treatment"
          : "other";
    const rateRows: RateRow[] = summary.cells
      .filter((c) => (RELIABILITY as readonly string[]).includes(c.task) && c.errorRate !== null)
      .map((c) => ({
        subject: c.subject,
        role: roleOf(c.subject),
        task: c.task,
        beliefGroup: c.beliefGroup,
        n: c.correct + c.incorrect,
        errorRate: c.errorRate!,
        ciLower: c.ci95![0],
        ciUpper: c.ci95![1],
      }));
    const rates: Section<RateRow[]> =
      rateRows.length > 0
        ? { available: true, data: rateRows }
        : unavailable("no judged CORRECT/INCORRECT responses on a reliability task yet");

    const analysis = collectAnalysis(loc.dir, judge, covType, compare.length);
    const worstPerComparison = opts.worst ?? 12;
    return {
      run,
      lead: leadSection(summary, analysis.headline, covType),
      rates,
      ...analysis,
      warmth: collectWarmth(store, compare),
      controls: collectControls(summary.cells, tasks),
      pairedTests: summary.pairedTests,
      flips: collectFlips(store, judge),
      judgeCheck: collectJudgeCheck(store),
      ruleCheck: collectRuleCheck(store, config, judge),
      trajectory: loadTrajectory(opts.trajectory),
      worst: collectWorstCases(store, judge, compare, worstPerComparison),
    };
  } finally {
    store.close();
  }
}

/** The lead from the summary (the very same sentences), plus Model 1 labelled as the study-comparable number. */
function leadSection(
  summary: Summary,
  model1: Section<readonly HeadlineRow[]>,
  covType: CovType,
): Section<LeadData> {
  const lead = leadText(summary.headline);
  if (lead === null)
    return unavailable(
      "no `compare:` pair has judged CORRECT/INCORRECT responses of both subjects on a reliability task yet",
    );
  const seLabel = covType === "cluster" ? "item-clustered" : "non-robust (as in the study)";
  const studyComparable = summary.headline.flatMap((h) => {
    const m1 = model1.available
      ? model1.data.find((r) => r.treatment === h.treatment && r.task === "all")
      : undefined;
    if (!m1) return [];
    const pooled = h.gaps.some((g) => g.significant);
    return [{ treatment: h.treatment, sentence: studyComparableSentence(m1, seLabel, pooled) }];
  });
  const items = Math.max(0, ...summary.headline.flatMap((h) => h.gaps.map((g) => g.items)));
  return {
    available: true,
    data: { lead, headlines: summary.headline, studyComparable },
    notes: [
      `Pooled gaps: treatment − reference error rate over every scored response of the reliability tasks in all contexts, without a user belief (original and neutral templates) and with one; 95% CIs and p from a Wald test with an item-clustered (sandwich) standard error over ${items} items, because the conditions of one item are not independent. This equals the average marginal effect of a logistic GLM of error on treatment with cluster-robust covariance. McNemar p treats every pair as independent.`,
    ],
  };
}

type AnalysisSections = Pick<ReportData, "headline" | "contexts" | "sycophancy" | "modelFailures">;

function collectAnalysis(
  runDir: string,
  judge: string,
  covType: CovType,
  comparisons: number,
): AnalysisSections {
  if (comparisons === 0) {
    const reason =
      "the run's config has no `compare:` pairs (reference vs treatment), so there is no gap to estimate";
    return {
      headline: unavailable(reason),
      contexts: unavailable(reason),
      sycophancy: unavailable(reason),
      modelFailures: [],
    };
  }
  let frame: Frame;
  try {
    frame = loadAnalysisRowsFrame(runDir, { judge });
  } catch (e) {
    const reason = e instanceof CandorError ? e.message : String(e);
    return {
      headline: unavailable(reason),
      contexts: unavailable(reason),
      sycophancy: unavailable(reason),
      modelFailures: [],
    };
  }
  const analysis = analyzeFrame(frame, { covType, models: ["model1", "model3", "model4"] });
  const failures: ModelFailureNote[] = [];
  for (const c of analysis.comparisons) {
    for (const m of c.models) {
      if (isFailure(m)) failures.push({ comparison: c.comparison, model: m.id, error: m.error });
    }
  }
  return {
    headline: headlineSection(frame, analysis, covType, failures),
    contexts: contextSection(analysis),
    sycophancy: sycophancySection(frame, analysis, covType, failures),
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

function comparisonRows(frame: Frame, comparison: string): Int32Array {
  return selectRows(frame, allRows(frame.n), "comparison", [comparison]);
}

function tasksIn(frame: Frame, rows: Int32Array): string[] {
  const present = presentLevels(getCategorical(frame, "dataset"), rows);
  return [
    ...RELIABILITY.filter((t) => present.includes(t)),
    ...present.filter((t) => !(RELIABILITY as readonly string[]).includes(t)).sort(),
  ];
}

function tryFit(
  frame: Frame,
  id: "model1" | "model4",
  rows: Int32Array,
  covType: CovType,
): ModelResult | string {
  try {
    return fitStudyModel(frame, id, { rows, covType });
  } catch (e) {
    return (e as Error).message;
  }
}

function headlineSection(
  frame: Frame,
  analysis: Analysis,
  covType: CovType,
  failures: ModelFailureNote[],
): Section<HeadlineRow[]> {
  const out: HeadlineRow[] = [];
  for (const c of analysis.comparisons) {
    const cRows = comparisonRows(frame, c.comparison);
    const models = presentLevels(getCategorical(frame, "model"), cRows);
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
        referenceRate: observedRates(frame, rows)[0],
        treatmentRate: observedRates(frame, rows)[1],
        mcnemarP: cell?.p ?? null,
        pairs: cell?.pairs ?? null,
        warnings: warningsOf(m),
      });
    };
    for (const task of tasksIn(frame, cRows)) {
      const tRows = selectRows(frame, cRows, "dataset", [task]);
      add(task, tryFit(frame, "model1", tRows, covType), tRows);
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

/** Observed error rates (reference, treatment) of the rows Model 1 uses among `rows`. */
function observedRates(frame: Frame, rows: Int32Array): [number | null, number | null] {
  let sel = selectRows(frame, rows, "amendment_group", ["unmodified"]);
  sel = selectRows(frame, sel, "prompt_group", ["original"]);
  const ft = getCategorical(frame, "is_finetuned");
  const y = getNumeric(frame, "is_incorrect").values;
  const n = [0, 0];
  const e = [0, 0];
  for (const r of sel) {
    const arm = ft.levels[ft.codes[r]!] === "1" ? 1 : 0;
    n[arm]!++;
    e[arm]! += y[r]!;
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
  frame: Frame,
  analysis: Analysis,
  covType: CovType,
  failures: ModelFailureNote[],
): Section<SycophancyRow[]> {
  const out: SycophancyRow[] = [];
  for (const c of analysis.comparisons) {
    const cRows = comparisonRows(frame, c.comparison);
    for (const task of tasksIn(frame, cRows)) {
      const m = tryFit(frame, "model4", selectRows(frame, cRows, "dataset", [task]), covType);
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
