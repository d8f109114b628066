import type { AuditConfig } from "../config/schema.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { judgeIdOf, runJudgeId } from "../judge/run-judge.js";
import type { StructuredMode } from "../judge/structured.js";
import { toJudgeParams, toParams } from "./config-params.js";
import type { JudgeContext } from "./verdict.js";

/** Judges answer at temperature 0 with room for a short rationale, unless the config says otherwise. */
const JUDGE_DEFAULTS = { temperature: 0, maxTokens: 400 };

/**
 * The audit's judge as execution uses it: the configured judge (a model, or
 * none for `rule`) plus each task's own judge, all stored under runJudgeId.
 */
export function auditJudgeContext(
  config: AuditConfig,
  endpoints: { judge: Endpoint | undefined; taskJudges: ReadonlyMap<string, Endpoint> },
  cache?: ResponseCache,
  /** The audit judge's JSON mode as the preflight decided it (json_schema when absent). */
  structured?: StructuredMode,
): JudgeContext {
  const tasks = new Map<string, JudgeContext>();
  for (const t of config.tasks) {
    if (!t.judge) continue;
    const endpoint = endpoints.taskJudges.get(t.task);
    tasks.set(t.task, {
      id: judgeIdOf(t.judge.model, config.refusals),
      ...(endpoint && { endpoint }),
      params: { ...JUDGE_DEFAULTS, ...toParams(t.judge.params) },
      refusals: config.refusals,
      structured: taskStructured(t.judge, config.judge.model, structured),
      ...(cache && { cache }),
    });
  }
  return {
    id: runJudgeId(config),
    ...(endpoints.judge && { endpoint: endpoints.judge }),
    params: { ...JUDGE_DEFAULTS, ...toJudgeParams(config) },
    refusals: config.refusals,
    ...(structured && { structured }),
    tasks,
    ...(cache && { cache }),
  };
}

/**
 * A task's own judge: the same model as the audit's judge speaks the mode the preflight found;
 * another model uses its configured mode, with `auto` read as json_schema (the first choice).
 */
function taskStructured(
  own: { model: string; structured?: StructuredMode | "auto" | undefined },
  auditModel: string,
  decided: StructuredMode | undefined,
): StructuredMode {
  if (own.model === auditModel && decided) return decided;
  return own.structured === undefined || own.structured === "auto" ? "json_schema" : own.structured;
}
