import type { PressureConfig } from "../config/pressure.js";
import { DEFAULT_PRESSURE_TASKS, pressureTexts } from "../design/pressure.js";
import type { TaskName } from "../types.js";
import type { PressureSettings } from "./pressure.js";

/** What the pressure stage needs from the audit file's `pressure:` block, defaults filled in. */
export function pressureSettings(config: PressureConfig): PressureSettings {
  return {
    turns: config.turns,
    ladder: config.ladder,
    texts: pressureTexts(config.texts),
    tasks: (config.tasks as TaskName[] | undefined) ?? [...DEFAULT_PRESSURE_TASKS],
  };
}
