import { z } from "zod";
import { DEFAULT_CHALLENGE } from "../design/challenge.js";
import { PERSONA_NAMES } from "../design/personas.js";
import { TEMPLATE_PLACEHOLDERS } from "../design/templates.js";
import { isRuleScorable, RULE_SCORABLE_TASKS } from "../judge/rule-judge.js";
import { RULE_MODEL } from "../judge/run-judge.js";
import { parseModelRef } from "../providers/model-ref.js";
import { BELIEFS, CONTEXTS } from "../types.js";
import { batchSettingSchema } from "./batch.js";
import { distractorsSchema } from "./distractors.js";
import { gateSchema } from "./gate-schema.js";
import { judgeStructuredSchema, maxUnparseableSchema } from "./judge-settings.js";
import { refusalsSchema, ruleCheckSchema } from "./judging.js";
import { checkTaskLanguages, runLanguageSchema, taskLanguageSchema } from "./language.js";
import { checkPipelines, pipelineSchema } from "./pipeline.js";
import { pressureSchema } from "./pressure.js";

/**
 * The audit file (YAML). Field names are snake_case like the OpenAI API the
 * params mirror. Every object is strict so a typo is an error, not a silent default.
 */

function checkModelRef(value: string, ctx: z.RefinementCtx): void {
  // tuned:<job>@<epoch> names a model from `candor tune run`; it is resolved when the audit loads.
  if (value.startsWith("tuned:")) {
    if (!/^tuned:[^@\s]+(@[^@\s]+)?$/.test(value)) {
      ctx.addIssue({
        code: "custom",
        message: `expected tuned:<job id or name>[@<epoch>|@final], got ${JSON.stringify(value)}`,
      });
    }
    return;
  }
  const parsed = parseModelRef(value);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.reason });
}

export const modelRefSchema = z.string().superRefine(checkModelRef);
/** A judge is a model reference or `rule` (the rule scorers, no model). */
const judgeModelSchema = z.string().superRefine((value, ctx) => {
  if (value !== RULE_MODEL) checkModelRef(value, ctx);
});

export const generationParamsSchema = z
  .strictObject({
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().positive().optional(),
    top_p: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
  })
  .describe("Generation parameters passed to the model");

const subjectIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected an id of letters, digits, '.', '_' or '-'");

/** Several base URLs of one openai-compatible model (replicas behind no router). */
const replicasSchema = z
  .array(z.string().url())
  .min(1)
  .optional()
  .describe(
    "openai-compatible only: more base URLs serving the same model; calls go to the least busy, a failing one is drained",
  );

export const subjectSchema = z
  .strictObject({
    id: subjectIdSchema.describe("Unique subject id used in reports and comparisons"),
    model: modelRefSchema.describe(
      "Model reference: openai:<model>, openai-compatible:<base-url>#<model>, anthropic:<model>, llama:./file.gguf, llama:hf:<user>/<repo>:<quant>",
    ),
    persona: z
      .enum(PERSONA_NAMES as [string, ...string[]])
      .optional()
      .describe("Built-in persona: neutral (no system prompt), warm, or cold"),
    system_prompt: z
      .string()
      .min(1)
      .optional()
      .describe("Custom system prompt (instead of persona)"),
    params: generationParamsSchema.optional(),
    concurrency: z.number().int().positive().max(1024).optional(),
    batch: batchSettingSchema,
    replicas: replicasSchema,
    pipeline: pipelineSchema(modelRefSchema),
  })
  .refine((s) => !(s.persona && s.system_prompt), {
    message: "give either persona or system_prompt, not both",
  });

export const taskNameSchema = z.enum([
  "triviaqa",
  "truthfulqa",
  "disinfo",
  "medqa",
  "mmlu",
  "gsm8k",
  "advbench",
]);

export const taskSchema = z.strictObject({
  task: taskNameSchema,
  path: z.string().min(1).optional().describe("Local dataset file (relative to this config file)"),
  hub: z
    .strictObject({
      id: z.string().min(1),
      revision: z.string().min(1).optional(),
      config: z.string().optional(),
      split: z.string().optional(),
      file: z.string().optional(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    })
    .optional()
    .describe(
      "Hugging Face dataset (default: the task's own). With `file`, that file at `revision` (sha256-checked when given); without it, the hub's parquet conversion of `config`/`split` at `revision`",
    ),
  columns: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      "Column mapping {id?, question, correct, incorrect?} for a custom CSV/JSONL/JSON/parquet file: uses the generic loader instead of the task's",
    ),
  n: z.number().int().positive().optional().describe("Items to sample (seeded); all when absent"),
  language: taskLanguageSchema,
  encoding: z
    .enum(["utf8", "latin1"])
    .optional()
    .describe("Text encoding of a local file (default utf8; invalid UTF-8 is an error)"),
  params: generationParamsSchema.optional().describe("Overrides generation params for this task"),
  judge: z
    .lazy(() => judgeSchema)
    .optional()
    .describe("This task's own judge (e.g. { model: rule }), instead of the audit's"),
});

export const judgeSchema = z.strictObject({
  model: judgeModelSchema.describe(
    "Judge model reference (the study used openai:gpt-4o, temperature 0), or `rule`: the rule scorers alone, no model (TriviaQA, MedQA, MMLU, GSM8K only)",
  ),
  params: generationParamsSchema.optional(),
  concurrency: z.number().int().positive().max(1024).optional(),
  structured: judgeStructuredSchema,
  max_unparseable: maxUnparseableSchema,
  batch: batchSettingSchema,
  replicas: replicasSchema,
});

export const providerSettingsSchema = z.strictObject({
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
    .optional()
    .describe("Environment variable holding the API key (the key itself never goes in this file)"),
  base_url: z.string().url().optional(),
  concurrency: z.number().int().positive().max(1024).optional(),
});

const templateTextSchema = z
  .string()
  .min(1)
  .refine(
    (t) =>
      [...t.matchAll(/\{(\w+)\}/g)].every((m) => TEMPLATE_PLACEHOLDERS.includes(m[1] as never)),
    {
      message: `expected only the placeholders ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
    },
  )
  .refine((t) => t.includes("{question}"), {
    message: "expected the template to contain {question}",
  });

export const challengeSchema = z
  .strictObject({
    texts: z
      .array(z.string().min(1))
      .min(1)
      .default([DEFAULT_CHALLENGE])
      .describe("Push-back messages; each item gets one (seeded), the same for every subject"),
    tasks: z
      .array(z.string())
      .optional()
      .describe("Tasks to challenge (default: the reliability tasks)"),
  })
  .describe('"Are you sure?": after answering, the user pushes back and the model answers again');

export const priceSchema = z.strictObject({
  input_per_mtok: z.number().nonnegative().describe("USD per million input tokens"),
  output_per_mtok: z.number().nonnegative().describe("USD per million output tokens"),
  batch_discount: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe("Share of the price a Batch API call costs (default 0.5)"),
});

export const warmthSchema = z
  .strictObject({
    sociot: z
      .strictObject({
        model: modelRefSchema
          .optional()
          .describe(
            "Scorer: llama:… GGUF (default GPT-2 small) or openai-compatible:… with prompt logprobs",
          ),
        parallel: z.number().int().positive().optional(),
        threads: z.number().int().positive().optional(),
        context_size: z.number().int().positive().optional(),
        concurrency: z.number().int().positive().optional(),
      })
      .optional()
      .describe("SocioT warmth (Cheng et al. 2025), in its reference and strict forms"),
    judge: z
      .strictObject({
        model: modelRefSchema,
        params: generationParamsSchema.optional(),
        concurrency: z.number().int().positive().max(1024).optional(),
        batch: batchSettingSchema,
      })
      .optional()
      .describe("An LLM rates each response's warmth on a 1–7 rubric"),
    cells: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Score a seeded sample of this many item×condition cells instead of every response",
      ),
    alpha: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.05)
      .describe("Significance level of the manipulation check"),
  })
  .describe("Warmth manipulation check: did the warm variant actually become warmer?");

export const auditConfigSchema = z
  .strictObject({
    name: z.string().min(1).describe("Audit name"),
    language: runLanguageSchema,
    seed: z
      .number()
      .int()
      .default(20250728)
      .describe("Seed for item sampling and statement assignment"),
    output: z
      .string()
      .min(1)
      .optional()
      .describe("Run directory (default: runs/<name>, relative to this file)"),
    subjects: z.array(subjectSchema).min(1),
    compare: z
      .array(
        z.strictObject({
          reference: subjectIdSchema,
          treatments: z.array(subjectIdSchema).min(1),
        }),
      )
      .default([]),
    tasks: z.array(taskSchema).min(1),
    contexts: z
      .array(z.enum(CONTEXTS))
      .min(1)
      .default([...CONTEXTS]),
    beliefs: z
      .array(z.enum(BELIEFS))
      .min(1)
      .default([...BELIEFS]),
    samples: z.number().int().positive().default(1).describe("Responses per trial condition"),
    icc: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Intra-item correlation of errors for candor plan's detectable gap (default 0.2; `candor power --run <dir>` estimates it from a pilot)",
      ),
    statements: z
      .partialRecord(z.enum(CONTEXTS).exclude(["unmodified"]), z.array(z.string().min(1)).min(1))
      .optional()
      .describe("Replace the study's context statements for some contexts"),
    templates: z
      .partialRecord(
        z.enum(BELIEFS),
        z.strictObject({
          answer: templateTextSchema.optional(),
          proposition: templateTextSchema.optional(),
        }),
      )
      .optional()
      .describe(
        "Replace the study's belief templates (placeholders {statement} {question} {incorrect_answer} {correct_answer})",
      ),
    challenge: challengeSchema.optional(),
    pressure: pressureSchema.optional(),
    distractors: distractorsSchema(modelRefSchema, generationParamsSchema)
      .optional()
      .describe(
        "Plausible wrong beliefs: a model writes each item's wrong answer (checked by the judge to be wrong); without it, another item's answer of the same type",
      ),
    warmth: warmthSchema.optional(),
    gate: gateSchema.optional(),
    prices: z
      .record(z.string(), priceSchema)
      .optional()
      .describe("Price table for `candor plan` cost estimates, keyed by model reference or prefix"),
    judge: judgeSchema,
    refusals: refusalsSchema,
    rule_check: ruleCheckSchema,
    providers: z
      .strictObject({
        openai: providerSettingsSchema.optional(),
        "openai-compatible": providerSettingsSchema.optional(),
        anthropic: providerSettingsSchema.optional(),
        llama: z
          .strictObject({
            context_size: z.number().int().positive().optional(),
            threads: z.number().int().positive().optional(),
            sequences: z.number().int().positive().max(64).optional(),
            cache_dir: z.string().optional(),
          })
          .optional(),
      })
      .default({}),
    retry: z
      .strictObject({
        max_attempts: z.number().int().positive().max(50).default(6),
        base_delay_ms: z.number().int().nonnegative().default(500),
        max_delay_ms: z.number().int().positive().default(30_000),
      })
      .default({ max_attempts: 6, base_delay_ms: 500, max_delay_ms: 30_000 }),
    timeout_ms: z.number().int().positive().default(120_000).describe("Per-request timeout"),
    max_response_bytes: z
      .number()
      .int()
      .min(1024)
      .default(262_144)
      .describe(
        "Largest model reply read (bytes); a longer one is stored cut and labelled TRUNCATED",
      ),
    tuned_registry: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Registry of fine-tuned models for tuned:<job>@<epoch> references (default ~/.config/candor/tuned-models.json)",
      ),
    cache: z
      .union([z.boolean(), z.strictObject({ dir: z.string().min(1).optional() })])
      .default(false)
      .describe(
        "Reuse model answers across runs from a response cache (default ~/.cache/candor/responses.sqlite); off by default",
      ),
    params: generationParamsSchema
      .optional()
      .describe(
        "Default generation params for all subjects (study: temperature 0.8, max_tokens 300)",
      ),
  })
  .superRefine(checkRuleJudged)
  .superRefine((c, ctx) => checkPipelines(c, ctx, isRuleScorable, RULE_MODEL))
  .superRefine(checkTaskLanguages);

/** `rule` can only judge tasks a rule can score: say which task needs a model, where. */
function checkRuleJudged(
  config: {
    judge: { model: string };
    tasks: { task: string; judge?: { model: string } | undefined }[];
  },
  ctx: z.RefinementCtx,
): void {
  config.tasks.forEach((t, i) => {
    const own = t.judge?.model;
    if ((own ?? config.judge.model) !== RULE_MODEL || isRuleScorable(t.task)) return;
    ctx.addIssue({
      code: "custom",
      path: own === undefined ? ["judge", "model"] : ["tasks", i, "judge", "model"],
      message: `the rule judge scores only ${RULE_SCORABLE_TASKS.join(", ")}; tasks[${i}] (${t.task}) needs a model judge: give it \`judge: { model: <ref> }\`${own === undefined ? " or set the audit's judge to a model" : ""}`,
    });
  });
}

export type AuditConfigInput = z.input<typeof auditConfigSchema>;
export type AuditConfig = z.output<typeof auditConfigSchema>;

/** JSON Schema of the audit file, for editors (yaml-language-server) and docs. */
export function auditJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(auditConfigSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
}
