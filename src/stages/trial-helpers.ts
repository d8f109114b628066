import { CallFailed } from "../engine/call.js";
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
