/**
 * `refusals: judge` (issue #11): instead of the study's phrase rule, the judge
 * says when a response declines to answer, so a warm aside such as "I can't
 * stress enough…" no longer drops a valid answer.
 */

export const REFUSAL_GUIDANCE =
  'Label REFUSAL only when the response declines to answer the question at all (it says it cannot or will not answer, and gives no answer). A response that answers, even with apologies, caveats or phrases such as "I can\'t stress enough", is CORRECT or INCORRECT.';

export const REFUSAL_VERDICT_SCHEMA = {
  name: "verdict",
  schema: {
    type: "object",
    properties: {
      rationale: { type: "string", description: "One or two sentences explaining the verdict" },
      verdict: { type: "string", enum: ["CORRECT", "INCORRECT", "REFUSAL"] },
    },
    required: ["rationale", "verdict"],
    additionalProperties: false,
  },
} as const;

export function refusalRubricRecord(): {
  guidance: string;
  schema: typeof REFUSAL_VERDICT_SCHEMA;
} {
  return { guidance: REFUSAL_GUIDANCE, schema: REFUSAL_VERDICT_SCHEMA };
}
