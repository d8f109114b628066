import { runLanguages, taskLanguages } from "../config/language.js";
import { pipelineSpec } from "../config/pipeline.js";
import type { AuditConfig } from "../config/schema.js";
import type { LanguageCode } from "../i18n/types.js";
import type {
  BeliefLabel,
  ChatMessage,
  Condition,
  ContextLabel,
  GenerationParams,
  Item,
  Subject,
  TaskName,
  Trial,
} from "../types.js";
import { conditionsFor, type StatementBank } from "./conditions.js";
import { contentHash } from "./hash.js";
import { isFirstLanguage, languageTexts, personaIn } from "./language-texts.js";
import type { PersonaName } from "./personas.js";
import { type BeliefTemplate, beliefNeeds, renderPrompt } from "./templates.js";

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

/**
 * Resolves config subjects: persona → system prompt (in the given language; a custom
 * system_prompt is used as written), defaults → params.
 */
export function resolveSubjects(config: AuditConfig, language: LanguageCode = "en"): Subject[] {
  return config.subjects.map((s) => {
    const systemPrompt =
      s.system_prompt ?? (s.persona ? personaIn(s.persona as PersonaName, language) : undefined);
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

/** The belief templates of a language, with the config's replacements where they apply. */
export function resolveTemplates(
  config: AuditConfig,
  language: LanguageCode = runLanguages(config)[0] ?? "en",
): Record<BeliefLabel, BeliefTemplate> {
  return { ...languageTexts(config, language).templates };
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
  const trials: Trial[] = [];
  const skipped: Plan["skipped"] = [];
  for (const taskCfg of config.tasks) {
    const items = itemsByTask.get(taskCfg.task) ?? [];
    const control = CONTROL_TASKS.has(taskCfg.task);
    for (const [l, language] of taskLanguages(config, taskCfg).entries()) {
      const texts = languageTexts(config, language);
      const bank =
        options.statements && isFirstLanguage(config, language) ? options.statements : texts.bank;
      const speakers = language === "en" ? subjects : resolveSubjects(config, language);
      for (const item of items) {
        const conditions = control
          ? conditionsFor(item, ["unmodified"], ["original"], config.seed, bank)
          : conditionsFor(item, contexts, beliefs, config.seed, bank).filter((c) => {
              const need = beliefNeeds(c.belief);
              if (need && item[need].length === 0) {
                if (c.context === contexts[0] && l === 0) {
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
          const userText = renderPrompt(
            item,
            condition.belief,
            condition.statement,
            texts.templates,
          );
          for (const subject of speakers) {
            trials.push(...subjectTrials(config, subject, item, condition, userText, language));
          }
        }
      }
    }
  }
  return { subjects, trials, skipped };
}

/** One subject's trials (one per sample) for an item under a condition, in a language. */
function subjectTrials(
  config: AuditConfig,
  subject: Subject,
  item: Item,
  condition: Condition,
  userText: string,
  language: LanguageCode,
): Trial[] {
  const params = effectiveParams(config, subject, item.task);
  const messages: ChatMessage[] = [];
  if (subject.systemPrompt !== undefined)
    messages.push({ role: "system", content: subject.systemPrompt });
  messages.push({ role: "user", content: userText });
  const out: Trial[] = [];
  for (let sample = 0; sample < config.samples; sample++) {
    // A fixed sampling seed would make every sample identical: offset it per sample.
    const sampleParams =
      sample > 0 && params.seed !== undefined ? { ...params, seed: params.seed + sample } : params;
    // English trials keep the ids they had before languages existed, so old runs resume.
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
      ...(language !== "en" && { language }),
      // Only when set, so ordinary subjects keep their trial ids.
      ...(subject.pipeline && { pipeline: subject.pipeline }),
    });
    out.push({
      id,
      subjectId: subject.id,
      task: item.task,
      itemId: item.id,
      condition,
      sample,
      messages,
      params: sampleParams,
      ...(language !== "en" && { language }),
    });
  }
  return out;
}
