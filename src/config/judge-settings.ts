import { z } from "zod";

/**
 * How the judge is asked for JSON. `auto` tries json_schema, then json_object, then a plain
 * prompt, and settles on the first the endpoint accepts (decided by the preflight).
 */
export const judgeStructuredSchema = z
  .enum(["auto", "json_schema", "json_object", "prompt"])
  .default("auto")
  .describe(
    "How the judge is asked for JSON: auto (json_schema, falling back to json_object, then a prompt-only request when the endpoint rejects it), json_schema, json_object or prompt",
  );

/** Share of the judge model's verdicts that may be UNPARSEABLE before the audit stops. */
export const maxUnparseableSchema = z
  .number()
  .min(0)
  .max(1)
  .default(0.05)
  .describe(
    "Largest share of the judge model's verdicts that may be unparseable (checked once 50 exist); above it the audit stops with exit code 4. 1 turns the check off",
  );
