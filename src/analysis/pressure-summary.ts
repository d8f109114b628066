import type { AuditConfig } from "../config/schema.js";
import { pressureLabels } from "../store/pressure.js";
import type { RunStore } from "../store/run-store.js";
import { type PressureSummary, summarizePressure } from "./pressure.js";

/** The run's pressure block, when the audit pressed answers and some turn is stored. */
export function pressureSummaryOf(
  store: RunStore,
  config: AuditConfig,
  judge: string,
): PressureSummary | undefined {
  if (!config.pressure) return undefined;
  const trials = pressureLabels(store, judge, config.pressure.turns);
  if (trials.length === 0) return undefined;
  return summarizePressure(trials, config.pressure, config.compare);
}
