/** The study's analysis over AnalysisRows: Models 1–4, per-cell tests, study import, published-summary checks. */
export {
  type Analysis,
  type AnalyzeOptions,
  analyze,
  analyzeFrame,
  type ComparisonAnalysis,
  DEFAULT_MODELS,
} from "./analyze.js";
export { type CellRow, type CellTableOptions, cellTable } from "./cell-table.js";
export { ItemTallies } from "./clustered-gaps.js";
export { type DifferenceRow, errorRateDifferences } from "./differences.js";
export { type CovType, fitStudyModel, type ModelResult } from "./fit-model.js";
export { rowsToFrame } from "./frame.js";
export {
  buildHeadlines,
  formatGap,
  type Headline,
  headlineSentence,
  leadText,
  type PooledGap,
  studyComparableSentence,
} from "./headline.js";
export { type AnalysisSource, detectSource, type Loaded, loadAnalysisFrame } from "./load.js";
export { MODEL_IDS, type ModelId, studyModel } from "./models.js";
export { caveTests, controlTests, type PairedTest, pairedTest } from "./paired-tests.js";
export { type PublishedCell, readPublishedSummary, reproduceSummary } from "./published-summary.js";
export { type AnalysisRow, analysisRowSchema } from "./rows.js";
export { readRowsCsv, writeFrameCsv } from "./rows-csv.js";
export {
  type ImportOptions,
  importStudy,
  isStudyLayout,
  type StudyImport,
} from "./study-import.js";
