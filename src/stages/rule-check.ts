import { RULE_CHECK_TASKS, ruleJudgeVerdict } from "../judge/rule-judge.js";
import { RULE_JUDGE_ID } from "../judge/run-judge.js";
import { TRUNCATED_FINISH } from "../providers/reply.js";
import { responsesWithoutVerdict } from "../store/rule-check.js";
import type { RunStore } from "../store/run-store.js";
import type { Judgment } from "../types.js";
import { EMPTY_FINISH } from "./reply-outcome.js";

/**
 * Scores every response of the rule-checkable tasks by rule, under the rule
 * judge's own id, beside whatever judge the run uses. No model is called; only
 * responses without a rule verdict are read, so it resumes and never repeats. Replies the
 * run leaves unscored (TRUNCATED, EMPTY) get no rule verdict either.
 */
export function scoreRulePending(store: RunStore, batchSize = 1000): number {
  let written = 0;
  let batch: Judgment[] = [];
  const flush = () => {
    written += store.writeBatch({ judgments: batch });
    batch = [];
  };
  for (const { trialId, item, response } of responsesWithoutVerdict(
    store,
    RULE_JUDGE_ID,
    RULE_CHECK_TASKS,
    [TRUNCATED_FINISH, EMPTY_FINISH],
  )) {
    const verdict = ruleJudgeVerdict(item, response);
    if (!verdict) continue;
    batch.push({ trialId, judge: RULE_JUDGE_ID, ...verdict, createdAt: new Date().toISOString() });
    if (batch.length >= batchSize) flush();
  }
  flush();
  return written;
}
