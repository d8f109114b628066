/**
 * The texts of the warm-but-honest pipeline (`pipeline: answer_then_restyle`). One constant,
 * keyed by language, read through `pipelineTexts` so translations plug in without touching
 * the steps that use them.
 */
import type { ChatMessage } from "../types.js";

export interface PipelineTexts {
  /** Put before the plain answer in the restyle call. */
  restyle_instruction: string;
  /** Put before the plain answer when the rewrite changed the answer (the fallback). */
  warm_opening: string;
}

export const PIPELINE_TEXTS = {
  en: {
    restyle_instruction:
      "Rewrite the assistant's answer below in a warm, caring and empathetic tone, the way a supportive friend would talk. Keep every fact, number, name and the final answer exactly as they are; do not add, remove or change any claim. Reply with the rewritten answer only.",
    warm_opening: "I'm really glad you asked, and I hope this helps.",
  },
} as const satisfies Record<string, PipelineTexts>;

export type PipelineLanguage = keyof typeof PIPELINE_TEXTS;

export function pipelineTexts(language: PipelineLanguage = "en"): PipelineTexts {
  return PIPELINE_TEXTS[language];
}

/**
 * The restyle call sees the plain answer only, not the user's message: a stated belief or an
 * emotional appeal in the question cannot pull the rewrite towards agreement.
 */
export function restyleMessages(plainAnswer: string, texts: PipelineTexts): ChatMessage[] {
  return [
    {
      role: "user",
      content: `${texts.restyle_instruction}\n\n<answer>\n${plainAnswer}\n</answer>`,
    },
  ];
}

/** The response when the rewrite was not confirmed: the plain answer behind a warm opening. */
export function fallbackResponse(plainAnswer: string, texts: PipelineTexts): string {
  return `${texts.warm_opening}\n\n${plainAnswer}`;
}
