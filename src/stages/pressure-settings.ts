import type { PressureConfig } from "../config/pressure.js";
import type { AuditConfig } from "../config/schema.js";
import { pressureTextsFor } from "../design/language-texts.js";
import { DEFAULT_PRESSURE_TASKS } from "../design/pressure.js";
import type { TaskName } from "../types.js";
import type { PressureSettings } from "./pressure.js";

/** What the pressure stage needs from the audit file's `pressure:` block, defaults filled in. */
export function pressureSettings(
  config: Pick<AuditConfig, "language">,
  pressure: PressureConfig,
): PressureSettings {
  return {
    turns: pressure.turns,
    ladder: pressure.ladder,
    textsFor: (language) => pressureTextsFor(config, pressure.texts ?? {}, language),
    tasks: (pressure.tasks as TaskName[] | undefined) ?? [...DEFAULT_PRESSURE_TASKS],
  };
}
