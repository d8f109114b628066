/**
 * What a report shows, as plain data: collected from the run store and the
 * analysis (src/analysis, src/stats) by collect*.ts, rendered by html.ts and
 * markdown.ts. Every section is either available or says why not, so a run
 * that lacks some data still gets the section, with the reason.
 */

import type { CovType } from "../analysis/fit-model.js";
import type { Headline } from "../analysis/headline.js";
import type { LanguageAnalysis } from "../analysis/language.js";
import type { PairedTest } from "../analysis/paired-tests.js";
import type { PressureSummary } from "../analysis/pressure.js";
import type { Summary } from "../analysis/summary.js";
import type { StatsWarning } from "../stats/warnings.js";
import type { BeliefLabel, ContextLabel, JudgmentLabel, TaskName } from "../types.js";
import type { RuleCheckData } from "./rule-check-section.js";
import type { Section } from "./section.js";
import type { TrajectoryData } from "./trajectory.js";
import type { WarmthErrorData } from "./warmth-error-chart.js";

export { type Section, unavailable } from "./section.js";

/** An estimate with a 95% interval and p-value (percentage points where it is a rate gap). */
export interface Estimate {
  readonly estimate: number | null;
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
  readonly p: number | null;
}

export interface RunInfo {
  readonly dir: string;
  readonly name: string;
  readonly createdAt: string | null;
  readonly generatedAt: string;
  readonly judge: string;
  readonly judges: readonly string[];
  /** About the judge: self-grading warnings and how it was asked for JSON. */
  readonly judgeNotes?: readonly { warning: boolean; text: string }[];
  readonly subjects: readonly { id: string; model: string; persona: string | null }[];
  readonly tasks: readonly TaskName[];
  readonly compare: readonly { reference: string; treatment: string }[];
  readonly totals: Summary["totals"];
  readonly covType: CovType;
  /** Where each task's items came from (recorded by the audit); empty for older runs. */
  readonly datasets: readonly {
    task: string;
    items: number;
    total: number;
    source: string;
    sha256: string;
  }[];
  /** How the wrong beliefs were made, per task ("triviaqa: 500 written by a model, …"). */
  readonly wrongBeliefs?: readonly string[];
  /** Embedded engine settings per llama model ("…: 1 thread (calibration), 4 sequences …"). */
  readonly engine?: readonly string[];
}

export interface HeadlineRow extends Estimate {
  readonly comparison: string;
  readonly reference: string;
  readonly treatment: string;
  /** A task, or "all" (Model 1 over all reliability tasks). */
  readonly task: string;
  readonly n: number;
  /** Observed error rates of the rows the model used (reference, treatment). */
  readonly referenceRate: number | null;
  readonly treatmentRate: number | null;
  /** Exact McNemar p on paired responses (unmodified context, no belief), when the cell exists. */
  readonly mcnemarP: number | null;
  readonly pairs: number | null;
  readonly warnings: readonly string[];
}

export interface RateRow {
  readonly subject: string;
  readonly role: "reference" | "treatment" | "other";
  readonly task: string;
  readonly beliefGroup: "no_belief" | "user_belief";
  readonly n: number;
  readonly errorRate: number;
  readonly ciLower: number;
  readonly ciUpper: number;
}

export interface ContextEffectRow extends Estimate {
  readonly comparison: string;
  readonly context: ContextLabel;
  readonly n: number;
  /** p of the difference to the unmodified context's effect. */
  readonly pVsUnmodified: number | null;
}

export interface SycophancyRow {
  readonly comparison: string;
  /** A task, or "all". */
  readonly task: string;
  readonly withoutBelief: Estimate & { n: number };
  readonly withBelief: Estimate & { n: number };
  /** With minus without, percentage points. */
  readonly difference: Estimate;
  readonly warnings: readonly string[];
}

export interface ModelFailureNote {
  readonly comparison: string;
  readonly model: string;
  readonly error: string;
}

export interface WarmthRow {
  readonly metric: string;
  readonly scorer: string;
  readonly subject: string;
  readonly n: number;
  readonly mean: number;
  readonly sd: number | null;
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
}

/** Paired treatment − reference over item × condition cells; p is one-sided (warmer). */
export interface WarmthDifference extends Estimate {
  readonly metric: string;
  readonly scorer: string;
  readonly reference: string;
  readonly treatment: string;
  readonly pairs: number;
  readonly wilcoxonP: number | null;
  /** Positive difference with one-sided p below α. */
  readonly warmer: boolean;
}

export interface ControlRow {
  readonly task: TaskName;
  readonly subject: string;
  /** "accuracy" (MMLU, GSM8K) or "safe response rate" (AdvBench: refused or judged harmless). */
  readonly measure: string;
  readonly n: number;
  readonly rate: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly excluded: number;
}

export interface FlipRow {
  readonly subject: string;
  /** A task, or "all". */
  readonly task: string;
  readonly challenged: number;
  /** Challenged answers scored both before and after the push-back. */
  readonly scored: number;
  readonly correctBefore: number;
  readonly correctToIncorrect: number;
  readonly incorrectToCorrect: number;
  readonly apologisedKept: number;
  readonly unchanged: number;
  /** correct → incorrect as a share of answers correct before the push-back. */
  readonly caveRate: number | null;
  readonly caveCi: readonly [number, number] | null;
}

export interface JudgeCheck {
  /** Scalar facts (agreement, kappa, n, …) as label → value. */
  readonly facts: readonly { key: string; value: string | number | boolean | null }[];
  /** Nested tables (e.g. per annotator or per task), each a list of flat records. */
  readonly tables: readonly {
    key: string;
    rows: readonly Record<string, string | number | boolean | null>[];
  }[];
}

export interface CaseSide {
  readonly subject: string;
  readonly trialId: string;
  readonly systemPrompt: string | null;
  readonly response: string;
  readonly label: JudgmentLabel | null;
  readonly rationale: string | null;
}

export interface WorstCase {
  readonly comparison: string;
  readonly task: TaskName;
  readonly itemId: string;
  readonly context: ContextLabel;
  readonly belief: BeliefLabel;
  readonly sample: number;
  readonly question: string;
  readonly prompt: string;
  readonly correct: readonly string[];
  readonly incorrect: readonly string[];
  readonly reference: CaseSide;
  readonly treatment: CaseSide;
}

/** The lead: pooled, item-clustered gaps per comparison, and the study-comparable Model 1 figure. */
export interface LeadData {
  /** The same sentences, in the same order, as summary.json's `lead`. */
  readonly lead: string;
  readonly headlines: readonly Headline[];
  /** Per comparison, the Model 1 sentence (absent when Model 1 could not be fitted). */
  readonly studyComparable: readonly { treatment: string; sentence: string }[];
}

export interface ReportData {
  readonly run: RunInfo;
  readonly lead: Section<LeadData>;
  readonly headline: Section<readonly HeadlineRow[]>;
  readonly rates: Section<readonly RateRow[]>;
  readonly contexts: Section<readonly ContextEffectRow[]>;
  readonly sycophancy: Section<readonly SycophancyRow[]>;
  readonly modelFailures: readonly ModelFailureNote[];
  readonly warmth: Section<{
    rows: readonly WarmthRow[];
    differences: readonly WarmthDifference[];
  }>;
  readonly controls: Section<readonly ControlRow[]>;
  /** Paired treatment − reference tests (controls, cave rate), shown in their sections. */
  readonly pairedTests: { controls: readonly PairedTest[]; cave: readonly PairedTest[] };
  readonly flips: Section<{ judge: string; rows: readonly FlipRow[] }>;
  readonly judgeCheck: Section<JudgeCheck>;
  readonly ruleCheck: Section<RuleCheckData>;
  readonly pressure: Section<PressureSummary>;
  readonly warmthError: Section<WarmthErrorData>;
  readonly trajectory: Section<TrajectoryData>;
  readonly worst: Section<{ cases: readonly WorstCase[]; discordant: Record<string, number> }>;
  /** Only for a run in several languages. */
  readonly languages?: Section<LanguageAnalysis>;
}

export type { StatsWarning };
