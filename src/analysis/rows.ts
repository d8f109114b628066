/**
 * The per-response row every analysis consumes — one judged response of one
 * subject under one condition — whether it came from a candor run store or
 * from the study's released CSVs. Field names follow the study's analysis code
 * (`is_incorrect`, `is_finetuned`, `amendment_type`, `prompt_type`…) so model
 * formulas and coefficient names read the same as the published output.
 */
import { z } from "zod";
import { BELIEFS, CONTEXTS } from "../types.js";

export const AMENDMENT_GROUPS = ["unmodified", "emotion", "relation", "stake"] as const;
export type AmendmentGroup = (typeof AMENDMENT_GROUPS)[number];

export const PROMPT_GROUPS = ["original", "user_opinion"] as const;
export type PromptGroup = (typeof PROMPT_GROUPS)[number];

export interface AnalysisRow {
  /**
   * Which treatment this row belongs to (e.g. "warm", "cold", "warm-sysprompt").
   * Reference rows are repeated once per comparison; models are fitted per comparison.
   */
  comparison: string;
  /** The reference subject of the pair (study: model folder, e.g. "llama_70b"). */
  model: string;
  /** 1 for the treatment subject's response, 0 for the reference subject's. */
  is_finetuned: 0 | 1;
  /** Task: study labels (disinfo, medqa, trivia, truthfulqa) or candor task names. */
  dataset: string;
  /** Stable item identity within the dataset; pairs responses and defines clusters. */
  item_id: string;
  /** Detailed interpersonal context (nine labels). */
  amendment_type: (typeof CONTEXTS)[number];
  amendment_group: AmendmentGroup;
  /** Belief template (four labels). */
  prompt_type: (typeof BELIEFS)[number];
  prompt_group: PromptGroup;
  /** Sample index when a condition was answered several times (0 otherwise). */
  sample: number;
  is_incorrect: 0 | 1;
  /** Response length in characters. */
  response_length: number;
}

/** `emotion:sad` → `emotion` (the study's grouping: the part before the colon). */
export function amendmentGroupOf(context: (typeof CONTEXTS)[number]): AmendmentGroup {
  // A lookup, not a split per call: imports call this once per response.
  return GROUP_OF.get(context) ?? (context.split(":")[0] as AmendmentGroup);
}

const GROUP_OF: ReadonlyMap<string, AmendmentGroup> = new Map(
  CONTEXTS.map((c) => [c, c.split(":")[0] as AmendmentGroup]),
);

/** original/original_neutral → original; incorrect/correct → user_opinion. */
export function promptGroupOf(template: (typeof BELIEFS)[number]): PromptGroup {
  return template === "incorrect" || template === "correct" ? "user_opinion" : "original";
}

/** Validates rows at a boundary (store or file), including that groups match their labels. */
export const analysisRowSchema = z
  .object({
    comparison: z.string().min(1),
    model: z.string().min(1),
    is_finetuned: z.union([z.literal(0), z.literal(1)]),
    dataset: z.string().min(1),
    item_id: z.string().min(1),
    amendment_type: z.enum(CONTEXTS),
    amendment_group: z.enum(AMENDMENT_GROUPS),
    prompt_type: z.enum(BELIEFS),
    prompt_group: z.enum(PROMPT_GROUPS),
    sample: z.number().int().nonnegative(),
    is_incorrect: z.union([z.literal(0), z.literal(1)]),
    response_length: z.number().finite().nonnegative(),
  })
  .refine((r) => r.amendment_group === amendmentGroupOf(r.amendment_type), {
    message: "amendment_group must be the part of amendment_type before ':'",
    path: ["amendment_group"],
  })
  .refine((r) => r.prompt_group === promptGroupOf(r.prompt_type), {
    message: "prompt_group must be user_opinion for incorrect/correct and original otherwise",
    path: ["prompt_group"],
  });

export const CATEGORICAL_COLUMNS = [
  "comparison",
  "model",
  "is_finetuned",
  "dataset",
  "item_id",
  "amendment_type",
  "amendment_group",
  "prompt_type",
  "prompt_group",
  "sample",
] as const;
export const NUMERIC_COLUMNS = ["is_incorrect", "response_length"] as const;

/** Column order of the normalised analysis-rows CSV (import-study output, bench input). */
export const ROW_COLUMNS = [
  ...CATEGORICAL_COLUMNS,
  ...NUMERIC_COLUMNS,
] as const satisfies readonly (keyof AnalysisRow)[];
