import type { AuditConfig } from "../config/schema.js";
import { runSelfGrading } from "../judge/self-grading.js";
import { structuredMetaKey } from "../judge/structured.js";
import type { RunStore } from "../store/run-store.js";

/** The same judge caveats the terminal and summary.json give, for the report's run section. */
export function judgeNotes(
  store: RunStore,
  config: AuditConfig,
  judge: string,
): { warning: boolean; text: string }[] {
  const notes = runSelfGrading(config).map((w) => ({ warning: true, text: w.message }));
  const mode = store.getMeta(structuredMetaKey(judge));
  if (mode !== undefined) {
    notes.push({
      warning: false,
      text: `The judge was asked for JSON with structured output: ${mode}.`,
    });
  }
  return notes;
}
