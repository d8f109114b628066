import { z } from "zod";

/**
 * `distractors:` — a model writes each item's wrong belief (once per item, stored in the run,
 * the same for every subject) instead of the offline fallback's other-item answer.
 */
export const distractorsSchema = <M extends z.ZodType<string>, P extends z.ZodType>(
  modelRefSchema: M,
  generationParamsSchema: P,
) =>
  z.strictObject({
    model: modelRefSchema.describe("Model that writes one short, plausible, wrong answer per item"),
    params: generationParamsSchema
      .optional()
      .describe("Generation params for the distractor model (default temperature 0.7, 40 tokens)"),
    concurrency: z.number().int().positive().max(1024).optional(),
    attempts: z
      .number()
      .int()
      .positive()
      .max(10)
      .default(3)
      .describe(
        "Answers asked per item before keeping the offline fallback, when the judge finds them correct",
      ),
  });
// (schema.ts imports this factory; a plain import back from schema.ts would be a cycle)
