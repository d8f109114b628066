import { pipelineSpec } from "../config/pipeline.js";
import type { AuditConfig } from "../config/schema.js";
import type {
  BeliefLabel,
  ChatMessage,
  ContextLabel,
  GenerationParams,
  Item,
  Subject,
  TaskName,
  Trial,
} from "../types.js";
import { conditionsFor, type StatementBank } from "./conditions.js";
import { contentHash } from "./hash.js";
import { type PersonaName, personaPrompt } from "./personas.js";
import { STUDY_STATEMENTS } from "./statements.js";
import { type BeliefTemplate, beliefNeeds, renderPrompt, STUDY_TEMPLATES } from "./templates.js";

/** The study's generation settings per task (STUDY.md §4). */
export function studyParams(task: TaskName): GenerationParams {
  if (task === "mmlu" || task === "gsm8k" || task === "advbench") {
    return { temperature: 0.2, maxTokens: task === "gsm8k" ? 512 : 300 };
  }
  return { temperature: 0.8, maxTokens: 300 };
}

type ParamsInput = AuditConfig["params"];

function toParams(p: ParamsInput | undefined): GenerationParams {
  if (!p) return {};
  const out: GenerationParams = {};
  if (p.temperature !== undefined) out.temperature = p.temperature;
  if (p.max_tokens !== undefined) out.maxTokens = p.max_tokens;
  if (p.top_p !== undefined) out.topP = p.top_p;
  if (p.seed !== undefined) out.seed = p.seed;
  return out;
}

/** Resolves config subjects: persona → system prompt, defaults → params. */
export function resolveSubjects(config: AuditConfig): Subject[] {
  return config.subjects.map((s) => {
    const systemPrompt =
      s.system_prompt ?? (s.persona ? personaPrompt(s.persona as PersonaName) : undefined);
    const subject: Subject = { id: s.id, model: s.model, params: toParams(s.params) };
    if (systemPrompt !== undefined) subject.systemPrompt = systemPrompt;
    if (s.persona !== undefined) subject.persona = s.persona;
    else if (s.system_prompt === undefined) subject.persona = "neutral";
    const pipeline = pipelineSpec(s.pipeline);
    if (pipeline) {
      subject.pipeline = pipeline;
      // A label for reports: the subject's warmth comes from the pipeline, not a persona.
      subject.persona = `pipeline:${pipeline.kind}`;
    }
    return subject;
  });
}

/**
 * Effective params for a subject on a task, later wins:
 * study default for the task < audit params < task params < subject params.
 */
export function effectiveParams(
  config: AuditConfig,
  subject: Subject,
  task: TaskName,
): GenerationParams {
  const taskCfg = config.tasks.find((t) => t.task === task);
  return {
    ...studyParams(task),
    ...toParams(config.params),
    ...toParams(taskCfg?.params),
    ...subject.params,
  };
}

/** The study's templates with the config's replacements applied. */
export function resolveTemplates(config: AuditConfig): Record<BeliefLabel, BeliefTemplate> {
  const out = { ...STUDY_TEMPLATES } as Record<BeliefLabel, BeliefTemplate>;
  for (const [belief, t] of Object.entries(config.templates ?? {}) as [
    BeliefLabel,
    Partial<BeliefTemplate>,
  ][]) {
    out[belief] = { ...out[belief], ...t };
  }
  return out;
}

export interface PlanOptions {
  contexts?: readonly ContextLabel[];
  beliefs?: readonly BeliefLabel[];
  statements?: StatementBank;
}

export interface Plan {
  subjects: Subject[];
  trials: Trial[];
  /** Items skipped for a belief condition because they lack the answer it needs. */
  skipped: { task: TaskName; itemId: string; belief: BeliefLabel; reason: string }[];
}

/** Tasks with no belief manipulation: controls are asked plainly. */
const CONTROL_TASKS: ReadonlySet<TaskName> = new Set(["mmlu", "gsm8k", "advbench"]);

/**
 * Expands subjects × items × conditions × samples into trials. Pure: the same
 * config, items and seed always give the same trials with the same ids.
 */
export function planTrials(
  config: AuditConfig,
  itemsByTask: ReadonlyMap<TaskName, readonly Item[]>,
  options: PlanOptions = {},
): Plan {
  const subjects = resolveSubjects(config);
  const contexts = options.contexts ?? config.contexts;
  const beliefs = options.beliefs ?? config.beliefs;
  const bank = options.statements ?? { ...STUDY_STATEMENTS, ...config.statements };
  const templates = resolveTemplates(config);
  const trials: Trial[] = [];
  const skipped: Plan["skipped"] = [];
  for (const taskCfg of config.tasks) {
    const items = itemsByTask.get(taskCfg.task) ?? [];
    const control = CONTROL_TASKS.has(taskCfg.task);
    for (const item of items) {
      const conditions = control
        ? conditionsFor(item, ["unmodified"], ["original"], config.seed, bank)
        : conditionsFor(item, contexts, beliefs, config.seed, bank).filter((c) => {
            const need = beliefNeeds(c.belief);
            if (need && item[need].length === 0) {
              if (c.context === contexts[0]) {
                skipped.push({
                  task: item.task,
                  itemId: item.id,
                  belief: c.belief,
                  reason: `no ${need} answer`,
                });
              }
              return false;
            }
            return true;
          });
      for (const condition of conditions) {
        const userText = renderPrompt(item, condition.belief, condition.statement, templates);
        for (const subject of subjects) {
          const params = effectiveParams(config, subject, item.task);
          const messages: ChatMessage[] = [];
          if (subject.systemPrompt !== undefined)
            messages.push({ role: "system", content: subject.systemPrompt });
          messages.push({ role: "user", content: userText });
          for (let sample = 0; sample < config.samples; sample++) {
            // A fixed sampling seed would make every sample identical: offset it per sample.
            const sampleParams =
              sample > 0 && params.seed !== undefined
                ? { ...params, seed: params.seed + sample }
                : params;
            const id = contentHash({
              subject: subject.id,
              model: subject.model,
              messages,
              params: sampleParams,
              task: item.task,
              item: item.id,
              context: condition.context,
              belief: condition.belief,
              sample,
              // Only when set, so ordinary subjects keep their trial ids.
              ...(subject.pipeline && { pipeline: subject.pipeline }),
            });
            trials.push({
              id,
              subjectId: subject.id,
              task: item.task,
              itemId: item.id,
              condition,
              sample,
              messages,
              params: sampleParams,
            });
          }
        }
      }
    }
  }
  return { subjects, trials, skipped };
}
