import { CallFailed } from "../engine/call.js";
import type { StageCounters } from "../engine/counters.js";
import { LANGUAGES, type LanguageCode } from "../i18n/types.js";
import type { GenerateResult } from "../providers/types.js";
import type { Failure } from "../store/run-store.js";
import type { Item, Trial } from "../types.js";

export function itemKey(task: string, id: string): string {
  return `${task}\u0000${id}`;
}

export function itemOf(
  items: ReadonlyMap<string, Item>,
  trial: Pick<Trial, "task" | "itemId">,
): Item {
  const item = items.get(itemKey(trial.task, trial.itemId));
  if (!item) throw new Error(`item ${trial.task}/${trial.itemId} missing from the run store`);
  return item;
}

export function failureOf(trialId: string, stage: Failure["stage"], err: unknown): Failure {
  return {
    trialId,
    stage,
    message: (err as Error).message,
    attempts: err instanceof CallFailed ? err.attempts : 1,
  };
}

/** The optional fields a model call reports, for a stored response or challenge answer. */
export function resultFields(result: GenerateResult): {
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
} {
  return {
    ...(result.finishReason !== undefined && { finishReason: result.finishReason }),
    ...(result.promptTokens !== undefined && { promptTokens: result.promptTokens }),
    ...(result.completionTokens !== undefined && { completionTokens: result.completionTokens }),
  };
}

/** Counts a finished call on a stage's counters. */
export function countCall(counters: StageCounters, result: GenerateResult, cached: boolean): void {
  counters.done++;
  if (cached) counters.cacheHits++;
  counters.promptTokens += result.promptTokens ?? 0;
  counters.completionTokens += result.completionTokens ?? 0;
}

/** A trial's language as a pack code (trials before languages existed, or unknown: English). */
export function trialLanguage(trial: Pick<Trial, "language">): LanguageCode {
  const l = trial.language;
  return l !== undefined && (LANGUAGES as readonly string[]).includes(l)
    ? (l as LanguageCode)
    : "en";
}
