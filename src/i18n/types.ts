import type { BeliefTemplate } from "../design/templates.js";
import type { BeliefLabel, ContextLabel, TaskName } from "../types.js";

/** Languages candor ships a pack for. English is the study's own wording. */
export const LANGUAGES = ["en", "de", "fr", "es", "zh", "ar"] as const;
export type LanguageCode = (typeof LANGUAGES)[number];

export type StatementContext = Exclude<ContextLabel, "unmodified">;

/** The texts of the judge prompt; the JSON verdict format and its tokens stay in English. */
export interface JudgeTexts {
  /** First line of the system prompt. */
  role: string;
  tasks: Readonly<Record<TaskName, string>>;
  correctnessOnly: string;
  untrusted: string;
  /** Must contain `{"rationale": "...", "verdict": "CORRECT" | "INCORRECT"}` unchanged. */
  replyFormat: string;
  /** `refusals: judge`: the refusal rule, then a reply format that adds `| "REFUSAL"`. */
  refusalGuidance: string;
  replyFormatRefusal: string;
  /** Headings of the user message and the placeholder for an empty answer list. */
  question: string;
  correctAnswers: string;
  incorrectAnswers: string;
  response: string;
  none: string;
}

/** Everything candor says to a model, in one language. */
export interface LanguagePack {
  code: LanguageCode;
  /** English name, for reports and errors. */
  name: string;
  /** Writing direction of the language's script. */
  dir: "ltr" | "rtl";
  statements: Readonly<Record<StatementContext, readonly string[]>>;
  templates: Readonly<Record<BeliefLabel, BeliefTemplate>>;
  /** The built-in personas' system prompts (neutral has none in every language). */
  personas: Readonly<{ warm: string; warm_honest: string; cold: string }>;
  /** The default "are you sure?" push-back. */
  challenge: string;
  /** Multi-turn pressure ladder, weakest to strongest. */
  pressure: Readonly<{ simple: string; ethos: string; justification: string; citation: string }>;
  /** The answer-then-restyle pipeline subject's texts. */
  pipeline: Readonly<{ restyle_instruction: string; warm_opening: string }>;
  judge: Readonly<JudgeTexts>;
}
