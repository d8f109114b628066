import { z } from "zod";

/** Audit-file fields on how verdicts are made and cross-checked (issue #10 item 5, #11 item 5). */

export const refusalsSchema = z
  .enum(["study", "judge"])
  .default("study")
  .describe(
    "How refusals are found: study = the study's phrase rule (comparable with the paper; also fires on asides such as \"I can't stress enough\"), judge = the LLM judge labels REFUSAL as a third verdict",
  );

export const ruleCheckSchema = z
  .strictObject({
    max_gap_pp: z
      .number()
      .positive()
      .max(100)
      .default(5)
      .describe(
        "Warn when judge-vs-rule agreement on a treatment differs from its reference's by more than this many percentage points",
      ),
  })
  .default({ max_gap_pp: 5 })
  .describe(
    "Rule cross-check: TriviaQA and MedQA are also scored by rule on every run and compared with the LLM judge",
  );
