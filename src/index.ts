/** Library entry: the CLI is a thin layer over these. */

export * from "./analysis/index.js";
export { loadAuditConfig, parseAuditConfig } from "./config/load.js";
export { type AuditConfig, auditConfigSchema, auditJsonSchema } from "./config/schema.js";
export { loadItems, sampleItems } from "./data/index.js";
export { PERSONAS } from "./design/personas.js";
export { planTrials, resolveSubjects, studyParams } from "./design/plan.js";
export { STUDY_STATEMENTS } from "./design/statements.js";
export { renderPrompt, STUDY_TEMPLATES } from "./design/templates.js";
export * from "./errors.js";
export { agreementOf, kappaFromTable } from "./judge/agreement.js";
export { createProvider } from "./providers/index.js";
export { parseModelRef } from "./providers/model-ref.js";
export { DEFAULT_MAX_RESPONSE_BYTES } from "./providers/reply.js";
export { redactModelRef } from "./redact.js";
export { prepareAudit as plan, RUN_DB, runAudit, summarizeRun } from "./stages/audit.js";
export { summarize } from "./stages/summarize.js";
export * as stats from "./stats/index.js";
export { RunStore } from "./store/run-store.js";
export * as tuning from "./tuning/index.js";
export * from "./types.js";
export * as warmth from "./warmth/index.js";
