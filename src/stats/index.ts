/** Pure statistics: no I/O. Every function is tested against statsmodels/scipy reference values. */
export { binomialHalfCdf } from "./binomial.js";
export {
  type BootstrapOptions,
  type BootstrapResult,
  pairedClusterBootstrap,
} from "./bootstrap.js";
export {
  type ClusterCounts,
  type ClusteredDifference,
  clusteredDifference,
  designEffect,
  intraclassCorrelation,
} from "./clustered.js";
export { type ClusterCovariance, clusterRobustCov } from "./covariance.js";
export {
  buildDesign,
  type DesignInfo,
  designInfo,
  type FactorSpec,
  linearPredictor,
  type ModelSpec,
  type Override,
  type SparseDesign,
} from "./design.js";
export { benjaminiHochberg, type FdrResult } from "./fdr.js";
export {
  allRows,
  type Column,
  categorical,
  type Frame,
  makeFrame,
  numeric,
  selectRows,
} from "./frame.js";
export { fitLogit, type GlmFit, type GlmOptions } from "./glm.js";
export { averageMarginalEffect, effectDifference, type MarginalEffect } from "./margins.js";
export {
  type McNemarResult,
  mcnemarExact,
  type PairCounts,
  pairCounts,
  studyGLabel,
} from "./mcnemar.js";
export { normalCdf, normalQuantile, normalSf, twoSidedP } from "./normal.js";
export {
  cohensH,
  independentDiscordance,
  mcnemarPower,
  mcnemarSampleSize,
  minimumDetectableGap,
  unpairedPower,
  unpairedSampleSize,
} from "./power.js";
export { type Rng, seededRng } from "./rng.js";
export {
  type CoefRow,
  coefficientTable,
  contrastVector,
  linearCombination,
  type WaldResult,
  wald,
} from "./wald.js";
export type { StatsWarning, StatsWarningCode } from "./warnings.js";
export { type Interval, wilsonInterval } from "./wilson.js";
