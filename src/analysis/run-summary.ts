import type { AuditConfig } from "../config/schema.js";
import { countFlips } from "../judge/flips.js";
import { runJudgeId } from "../judge/run-judge.js";
import { runSelfGrading } from "../judge/self-grading.js";
import { structuredMetaKey } from "../judge/structured.js";
import { challengeOutcomes } from "../store/challenges.js";
import { openFailures } from "../store/open-failures.js";
import type { RunStore } from "../store/run-store.js";
import { warmthManipulationCheck } from "../warmth/index.js";
import { languageGapSummary } from "./language.js";
import { pipelineSummary } from "./pipeline-summary.js";
import { pressureSummaryOf } from "./pressure-summary.js";
import { refusalExclusionsOf, ruleCheckOf } from "./rule-check-summary.js";
import { type Summary, summarizeStore } from "./summary.js";
import { warmthVsError } from "./warmth-error.js";

/** Builds the summary of a run from its store, for the judge the config names. */
export function summarizeRun(store: RunStore, config: AuditConfig): Summary {
  const judge = runJudgeId(config);
  const summary = summarizeStore(store, judge, config.compare);
  if (config.warmth) {
    const check = warmthManipulationCheck(store, config.compare, { alpha: config.warmth.alpha });
    if (check.subjects.length > 0) summary.warmth = check;
  }
  const open = openFailures(store, judge);
  if (open.length > 0) summary.openFailures = open;
  const ruleCheck = ruleCheckOf(store, config, judge);
  if (ruleCheck) summary.ruleCheck = ruleCheck;
  const refusals = refusalExclusionsOf(store, config, judge);
  if (refusals) summary.refusalExclusions = refusals;
  const languages = languageGapSummary(store, judge, config.compare);
  if (languages) summary.languages = languages;
  const challenged = challengeOutcomes(store, judge);
  if (challenged.length > 0) summary.challenge = countFlips(challenged);
  const pressure = pressureSummaryOf(store, config, judge);
  if (pressure) summary.pressure = pressure;
  const structured = store.getMeta(structuredMetaKey(judge));
  if (structured !== undefined) summary.judgeStructured = structured;
  const pipeline = pipelineSummary(store);
  if (pipeline.length > 0) summary.pipeline = pipeline;
  summary.warmthVsError = warmthVsError(
    config.subjects.map((s) => s.id),
    summary.cells,
    summary.warmth,
  );
  const self = runSelfGrading(config);
  if (self.length > 0) summary.selfGrading = self;
  return summary;
}
