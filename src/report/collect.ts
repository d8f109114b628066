/**
 * Gathers everything a report shows from a run store. Statistics come from
 * src/analysis (Models 1, 3, 4 and the per-cell McNemar table) and src/stats
 * (Wilson, Wald); this module only selects rows and reshapes results.
 */

import type { CovType } from "../analysis/fit-model.js";
import { leadText, studyComparableSentence } from "../analysis/headline.js";
import { type Summary, summarizeStore } from "../analysis/summary.js";
import type { AuditConfig } from "../config/schema.js";
import { runJudgeId } from "../judge/run-judge.js";
import { readRunConfig } from "../store/run-config.js";
import { RunStore } from "../store/run-store.js";
import type { TaskName } from "../types.js";
import { RELIABILITY_TASKS } from "../types.js";
import { collectAnalysis } from "./collect-analysis.js";
import { readDatasets, readEngineSettings, readWrongBeliefs } from "./collect-run-info.js";
import {
  collectControls,
  collectFlips,
  collectJudgeCheck,
  collectWarmth,
  collectWorstCases,
} from "./collect-store.js";
import { judgeNotes } from "./judge-notes.js";
import { collectLanguages } from "./language-section.js";
import {
  type HeadlineRow,
  type LeadData,
  type RateRow,
  type ReportData,
  type Section,
  unavailable,
} from "./model.js";
import { collectPressure } from "./pressure-section.js";
import { collectRuleCheck } from "./rule-check-section.js";
import { resolveRun } from "./run-path.js";
import { loadTrajectory } from "./trajectory.js";
import { collectWarmthError } from "./warmth-error-chart.js";

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
  // A report reads each table a few times in big scans and sorts: SQLite's 16 MB page caches
  // (main and temp) buy little here and stay in the process's peak; 2 MB each is enough.
  store.db.pragma("cache_size = -2000");
  store.db.pragma("temp.cache_size = -2000");
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

    const analysis = collectAnalysis(store, loc.file, config, judge, covType);
    const worstPerComparison = opts.worst ?? 12;
    const languages = collectLanguages(loc.dir, judge, covType);
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
      pressure: collectPressure(store, config, judge),
      warmthError: collectWarmthError(store, config, summary.cells),
      trajectory: loadTrajectory(opts.trajectory),
      worst: collectWorstCases(store, judge, compare, worstPerComparison),
      ...(languages && { languages }),
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
