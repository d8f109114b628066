import { type AuditConfig, auditConfigSchema } from "../config/schema.js";
import { CandorError } from "../errors.js";
import type { RunStore } from "./run-store.js";

/** The audit config a run was made with (stored without secrets by `candor audit`). */
export function readRunConfig(store: RunStore): AuditConfig {
  const raw = store.getMeta("config");
  if (raw === undefined)
    throw new CandorError(`${store.file}: no config recorded; is this a candor run?`);
  return auditConfigSchema.parse(JSON.parse(raw));
}
