import type { AuditConfig } from "../config/schema.js";
import { refusalOutcome } from "../judge/refusal.js";
import { type RuleCheck, ruleAgreement } from "../judge/rule-agreement.js";
import { RULE_CHECK_TASKS } from "../judge/rule-judge.js";
import { RULE_JUDGE_ID, RULE_MODEL, taskJudgeModel } from "../judge/run-judge.js";
import { judgeRuleCounts, type RefusalCount, refusalCounts } from "../store/rule-check.js";
import type { RunStore } from "../store/run-store.js";
import { RELIABILITY_TASKS } from "../types.js";

/** Tasks where the run's judge is a model and a rule can check it. */
export function ruleCheckedTasks(config: AuditConfig): string[] {
  const configured = new Set(config.tasks.map((t) => t.task));
  return RULE_CHECK_TASKS.filter(
    (t) => configured.has(t) && taskJudgeModel(config, t) !== RULE_MODEL,
  );
}

/** Judge-vs-rule agreement per subject and task, with treatment-vs-reference gaps. */
export function ruleCheckOf(
  store: RunStore,
  config: AuditConfig,
  judge: string,
): RuleCheck | undefined {
  const tasks = ruleCheckedTasks(config);
  if (tasks.length === 0 || judge === RULE_JUDGE_ID) return undefined;
  const counts = judgeRuleCounts(store, judge, RULE_JUDGE_ID, tasks);
  if (counts.length === 0) return undefined;
  return ruleAgreement(counts, {
    judge,
    rule: RULE_JUDGE_ID,
    tasks,
    compare: config.compare,
    maxGapPp: config.rule_check.max_gap_pp,
  });
}

/** What each refusal rule excludes, per subject, on the tasks where refusals are excluded. */
export interface RefusalExclusions {
  /** The rule this run used. */
  rule: "study" | "judge";
  tasks: string[];
  subjects: RefusalCount[];
}

export function refusalExclusionsOf(
  store: RunStore,
  config: AuditConfig,
  judge: string,
): RefusalExclusions | undefined {
  const tasks = RELIABILITY_TASKS.filter(
    (t) => refusalOutcome(t) === "REFUSAL" && config.tasks.some((c) => c.task === t),
  );
  if (tasks.length === 0) return undefined;
  const subjects = refusalCounts(store, judge, tasks);
  if (subjects.length === 0) return undefined;
  return { rule: config.refusals, tasks, subjects };
}
