/** Library entry: the CLI is a thin layer over these. */

export {
  type CompareSide,
  compareRuns,
  type GapChange,
  type RunComparison,
} from "./analysis/compare-runs.js";
export * from "./analysis/index.js";
export {
  analyzeRunLanguages,
  type LanguageAnalysis,
  type LanguageGapSummary,
} from "./analysis/language.js";
export {
  fitLanguageModel,
  type LanguageCell,
  type LanguageModelResult,
} from "./analysis/language-model.js";
export {
  type PipelineSummary,
  pipelineSentence,
  pipelineSummary,
} from "./analysis/pipeline-summary.js";
export {
  type PressureCell,
  type PressureSummary,
  summarizePressure,
} from "./analysis/pressure.js";
export { refusalExclusionsOf, ruleCheckOf } from "./analysis/rule-check-summary.js";
export { type Summary, type SummaryComparison, summarize } from "./analysis/summary.js";
export {
  type WarmthErrorPoint,
  type WarmthVsError,
  warmthVsError,
} from "./analysis/warmth-error.js";
export { type BatchCounters, newBatchCounters } from "./batch/counters.js";
export { type CompareOptions, compareRunDirs } from "./compare/run-compare.js";
export { type GateConfig, type GateConfigInput, gateSchema } from "./config/gate-schema.js";
export { runLanguages } from "./config/language.js";
export { loadAuditConfig, parseAuditConfig, parseAuditConfigObject } from "./config/load.js";
export { type PipelineSpec, pipelineSpec } from "./config/pipeline.js";
export {
  type AuditConfig,
  type AuditConfigInput,
  auditConfigSchema,
  auditJsonSchema,
} from "./config/schema.js";
export { type ConfigSource, runDirOfConfig } from "./config/source.js";
export { loadItems, sampleItems } from "./data/index.js";
export { PERSONAS } from "./design/personas.js";
export { PIPELINE_TEXTS, type PipelineTexts, pipelineTexts } from "./design/pipeline.js";
export { planTrials, resolveSubjects, studyParams } from "./design/plan.js";
export {
  DEFAULT_PRESSURE_TEXTS,
  PRESSURE_RUNGS,
  pressureTexts,
  type Rung,
} from "./design/pressure.js";
export { STUDY_STATEMENTS } from "./design/statements.js";
export { renderPrompt, STUDY_TEMPLATES } from "./design/templates.js";
export * from "./errors.js";
export * from "./gate/index.js";
export { LANGUAGES, type LanguageCode, type LanguagePack, PACKS, pack } from "./i18n/index.js";
export { agreementOf, kappaFromTable } from "./judge/agreement.js";
export { agreementBreakdown } from "./judge/agreement-groups.js";
export { matchedAnswer, normalizeTriviaqa } from "./judge/answer-match.js";
export { type RuleCheck, ruleAgreement } from "./judge/rule-agreement.js";
export { RULE_SCORABLE_TASKS, ruleJudgeVerdict } from "./judge/rule-judge.js";
export { judgeIdOf, RULE_JUDGE_ID, RULE_MODEL, runJudgeId } from "./judge/run-judge.js";
export { type ClaimCheck, parseClaimCheck, ruleClaimCheck } from "./pipeline/claim-check.js";
export { createProvider } from "./providers/index.js";
export { parseModelRef } from "./providers/model-ref.js";
export { ReplicaProvider, type ReplicaStats } from "./providers/replicas.js";
export { DEFAULT_MAX_RESPONSE_BYTES } from "./providers/reply.js";
export { redactModelRef } from "./redact.js";
export {
  type AuditOptions,
  type AuditResult,
  type LoadedAudit,
  prepareAudit as plan,
  RUN_DB,
  runAudit,
  summarizeRun,
} from "./stages/audit.js";
export { exportPending as exportBatchRequests } from "./stages/cluster-export.js";
export { importResults as importBatchResults } from "./stages/cluster-import.js";
export { judgeCheck, readHumanLabels, writeLabelSample } from "./stages/judge-check.js";
export { scoreRulePending } from "./stages/rule-check.js";
export * as stats from "./stats/index.js";
export { twoProportionZTest } from "./stats/two-proportion.js";
export { RunStore } from "./store/run-store.js";
export * as tuning from "./tuning/index.js";
export * from "./types.js";
export * as warmth from "./warmth/index.js";
