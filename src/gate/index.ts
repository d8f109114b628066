/** The release gate: pure evaluation, its outputs, and the gate over a stored run. */
export { evaluateGate } from "./evaluate.js";
export { formatGate, gateMarkdown } from "./format.js";
export { githubAnnotations, reportToGithub } from "./github.js";
export { gateJunit } from "./junit.js";
export { type GateOptions, type GateRun, gate, mergeThresholds } from "./run-gate.js";
export * from "./types.js";
