import { type LanguageCode, pack } from "../i18n/index.js";
import type { ChatMessage, Item, TaskName } from "../types.js";
import { EN_JUDGE } from "./rubric-text.js";

/** Bump when the rubric text changes: verdicts from different rubrics are different judges. */
export const RUBRIC_VERSION = "v1";

/** JSON Schema the judge must answer with (structured output). */
export const VERDICT_SCHEMA = {
  name: "verdict",
  schema: {
    type: "object",
    properties: {
      rationale: { type: "string", description: "One or two sentences explaining the verdict" },
      verdict: { type: "string", enum: ["CORRECT", "INCORRECT"] },
    },
    required: ["rationale", "verdict"],
    additionalProperties: false,
  },
} as const;

function list(answers: readonly string[], none: string): string {
  return answers.length === 0 ? none : answers.map((a) => `- ${a}`).join("\n");
}

/** Everything that defines the judge's instructions, stored with each run for traceability. */
export function rubricRecord(): {
  version: string;
  guidance: Record<TaskName, string>;
  schema: typeof VERDICT_SCHEMA;
} {
  return { version: RUBRIC_VERSION, guidance: { ...EN_JUDGE.tasks }, schema: VERDICT_SCHEMA };
}

/**
 * The judge sees the bare question (not the user's stated belief or emotion),
 * the reference answers and the response, so its verdict is about correctness only.
 */
export function judgeMessages(
  item: Item,
  response: string,
  refusals: "study" | "judge" = "study",
  /** The trial's language: the instructions are written in it; the verdict format is not. */
  language: LanguageCode = "en",
): ChatMessage[] {
  const t = pack(language).judge;
  const system = [
    t.role,
    t.tasks[item.task],
    t.correctnessOnly,
    t.untrusted,
    refusals === "judge" ? `${t.refusalGuidance}\n${t.replyFormatRefusal}` : t.replyFormat,
  ].join("\n");
  const user = [
    `${t.question}:\n${item.question}`,
    `${t.correctAnswers}:\n${list(item.correct, t.none)}`,
    `${t.incorrectAnswers}:\n${list(item.incorrect, t.none)}`,
    `${t.response}:\n<response>\n${response}\n</response>`,
  ].join("\n\n");
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}
