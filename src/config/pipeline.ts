import { z } from "zod";

/**
 * `pipeline:` on a subject — warmth by a second call instead of a persona: the model answers
 * plainly, a restyle call rewrites the answer warmly, and a claim check keeps the rewrite only
 * when it still gives the same answer (docs/pipeline.md).
 */
export const PIPELINE_KINDS = ["answer_then_restyle"] as const;
export const CLAIM_CHECKS = ["rule", "judge"] as const;
export type ClaimCheckMethod = (typeof CLAIM_CHECKS)[number];

/** A subject's pipeline after defaults: what the execution stage needs. */
export interface PipelineSpec {
  kind: (typeof PIPELINE_KINDS)[number];
  /** The model that rewrites; absent = the subject's own model. */
  restyleModel?: string;
  /** Forced check; absent = the rule where the task is rule-scorable, else the run's judge. */
  claimCheck?: ClaimCheckMethod;
}

// (schema.ts passes its model-reference schema in; importing it back would be a cycle)
export const pipelineSchema = <M extends z.ZodType<string>>(modelRefSchema: M) =>
  z
    .union([
      z.enum(PIPELINE_KINDS),
      z.strictObject({
        kind: z.enum(PIPELINE_KINDS),
        restyle_model: modelRefSchema
          .optional()
          .describe("Model that rewrites the plain answer warmly (default: the subject's model)"),
        claim_check: z
          .enum(CLAIM_CHECKS)
          .optional()
          .describe(
            "How the rewrite is checked to give the same answer (default: rule where the task is rule-scorable, else the run's judge)",
          ),
      }),
    ])
    .optional()
    .describe(
      "Warm-but-honest pipeline: answer plainly, rewrite warmly, keep the rewrite only when a claim check confirms the same answer",
    );

/** The config value (string or object) as a PipelineSpec; undefined when the subject has none. */
export function pipelineSpec(
  value:
    | string
    | { kind: string; restyle_model?: string | undefined; claim_check?: string | undefined }
    | undefined,
): PipelineSpec | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return { kind: value as PipelineSpec["kind"] };
  return {
    kind: value.kind as PipelineSpec["kind"],
    ...(value.restyle_model !== undefined && { restyleModel: value.restyle_model }),
    ...(value.claim_check !== undefined && { claimCheck: value.claim_check as ClaimCheckMethod }),
  };
}

interface CheckedConfig {
  subjects: {
    id: string;
    persona?: string | undefined;
    pipeline?: Parameters<typeof pipelineSpec>[0];
  }[];
  tasks: { task: string }[];
  judge: { model: string };
}

/**
 * A pipeline answers plainly first, so it takes no warm persona; a rule check needs tasks a
 * rule can score and a judge check needs a model judge. Errors name the subject and task.
 */
export function checkPipelines(
  config: CheckedConfig,
  ctx: z.RefinementCtx,
  isRuleScorable: (task: string) => boolean,
  ruleModel: string,
): void {
  config.subjects.forEach((s, i) => {
    const spec = pipelineSpec(s.pipeline);
    if (!spec) return;
    if (s.persona !== undefined && s.persona !== "neutral") {
      ctx.addIssue({
        code: "custom",
        path: ["subjects", i, "persona"],
        message: `subject ${s.id} has a pipeline: it answers plainly first, so give no persona (a system_prompt, if any, is the plain one)`,
      });
    }
    if (spec.claimCheck === "rule") {
      const unscorable = config.tasks.find((t) => !isRuleScorable(t.task));
      if (unscorable) {
        ctx.addIssue({
          code: "custom",
          path: ["subjects", i, "pipeline", "claim_check"],
          message: `subject ${s.id}: claim_check rule needs rule-scorable tasks, but ${unscorable.task} is not; use claim_check: judge or leave it out`,
        });
      }
    }
    if (spec.claimCheck === "judge" && config.judge.model === ruleModel) {
      ctx.addIssue({
        code: "custom",
        path: ["subjects", i, "pipeline", "claim_check"],
        message: `subject ${s.id}: claim_check judge needs a model judge, but the audit's judge is \`rule\``,
      });
    }
  });
}
