import type { Item, Judgment, TaskName } from "../types.js";
import { ruleVerdict } from "./judge-response.js";
import { scoreMedqa, scoreTriviaqa } from "./scorers.js";

/** Tasks a rule can score without a model: short reference answers, option letters, numbers. */
export const RULE_SCORABLE_TASKS: readonly TaskName[] = ["triviaqa", "medqa", "mmlu", "gsm8k"];

/**
 * Tasks where an LLM judge decides and a rule can check it. MMLU and GSM8K are
 * scored by rule under every judge, so comparing there would be comparing a rule with itself.
 */
export const RULE_CHECK_TASKS: readonly TaskName[] = ["triviaqa", "medqa"];

export function isRuleScorable(task: string): boolean {
  return (RULE_SCORABLE_TASKS as readonly string[]).includes(task);
}

/**
 * The rule judge: empty answers and the study's refusal phrases first (a rule
 * has no other way to see a refusal), then the task's scorer. Undefined for a
 * task no rule can score.
 */
export function ruleJudgeVerdict(
  item: Item,
  response: string,
): Pick<Judgment, "label" | "rationale"> | undefined {
  const first = ruleVerdict(item, response);
  if (first) return first;
  if (item.task === "triviaqa") return scoreTriviaqa(item, response);
  if (item.task === "medqa") return scoreMedqa(item, response);
  return undefined;
}
