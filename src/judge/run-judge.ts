import { judgeId, type RefusalRule } from "./judge-response.js";

export type { RefusalRule };

/**
 * Which judge scores which task, and the id the run's verdicts are stored
 * under. `rule` is the rule scorers alone (no model); a task may name its own
 * judge. When tasks are judged differently the id lists every exception, so a
 * verdict's judge id always says exactly how it was produced.
 */

export const RULE_MODEL = "rule";
/** Bump when a rule scorer changes: verdicts from different rules are different judges. */
export const RULE_JUDGE_ID = "rule#v1";

/** The parts of an audit config that decide judging (structural, so store/ and report/ can use it). */
export interface JudgingConfig {
  judge: { model: string };
  tasks: readonly { task: string; judge?: { model: string } | undefined }[];
  refusals?: RefusalRule | undefined;
}

/** Verdict id of one judge model under a refusal rule. */
export function judgeIdOf(model: string, refusals: RefusalRule = "study"): string {
  if (model === RULE_MODEL) return RULE_JUDGE_ID;
  // The judge labels refusals itself: another rubric, so another judge.
  return refusals === "judge" ? `${judgeId(model)}+refusals` : judgeId(model);
}

/** The judge model (or `rule`) that scores a task. */
export function taskJudgeModel(config: JudgingConfig, task: string): string {
  return config.tasks.find((t) => t.task === task)?.judge?.model ?? config.judge.model;
}

/** The id the run's own verdicts are stored under. */
export function runJudgeId(config: JudgingConfig): string {
  const base = judgeIdOf(config.judge.model, config.refusals);
  const exceptions = new Set<string>();
  for (const t of config.tasks) {
    if (!t.judge) continue;
    const id = judgeIdOf(t.judge.model, config.refusals);
    if (id !== base) exceptions.add(`${t.task}=${id}`);
  }
  return exceptions.size === 0 ? base : [base, ...[...exceptions].sort()].join(" | ");
}
