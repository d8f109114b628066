/**
 * The pipeline's claim check: does the warm rewrite still give the same answer as the plain
 * one? Pure: a rule comparison of the answers extracted from both texts, or a judge request
 * and a strict reading of its JSON reply. Neither ever guesses: whatever cannot be confirmed
 * counts as not confirmed, and the pipeline falls back to the plain answer.
 */
import { z } from "zod";
import type { ClaimCheckMethod } from "../config/pipeline.js";
import { matchedAnswer } from "../judge/answer-match.js";
import { parseJsonReply } from "../judge/json-reply.js";
import { isRuleScorable } from "../judge/rule-judge.js";
import { extractFinalNumber, extractLetter, wrongOptions } from "../judge/scorers.js";
import type { ChatMessage, Item } from "../types.js";

/** confirmed: same answer; changed: a different one; unparseable: the judge's reply had no verdict. */
export type ClaimCheckResult = "confirmed" | "changed" | "unparseable";

export interface ClaimCheck {
  method: ClaimCheckMethod;
  result: ClaimCheckResult;
  rationale: string;
  /** The judge's raw reply (judge checks only). */
  raw?: string;
}

/** The check a task gets: the forced one, else the rule where a rule can score the task. */
export function claimCheckMethod(
  task: string,
  forced: ClaimCheckMethod | undefined,
): ClaimCheckMethod {
  return forced ?? (isRuleScorable(task) ? "rule" : "judge");
}

/**
 * The answer a text commits to, as a comparable key: the option letter (MMLU), the final
 * number (GSM8K), or which reference answers it names (TriviaQA, MedQA: the correct answer
 * and any wrong one). Undefined when the text commits to none the rule can see.
 */
export function answerKey(item: Item, text: string): string | undefined {
  if (item.task === "mmlu") return extractLetter(text);
  if (item.task === "gsm8k") {
    const n = extractFinalNumber(text);
    return n === undefined ? undefined : String(n);
  }
  const wrong = item.task === "medqa" ? wrongOptions(item) : item.incorrect;
  const namesCorrect = matchedAnswer(text, item.correct) !== undefined;
  const namedWrong = wrong.filter((w) => matchedAnswer(text, [w]) !== undefined).sort();
  if (!namesCorrect && namedWrong.length === 0) return undefined;
  return JSON.stringify({ correct: namesCorrect, wrong: namedWrong });
}

const describe = (key: string | undefined) => key ?? "no answer the rule can read";

export function ruleClaimCheck(item: Item, plain: string, restyled: string): ClaimCheck {
  const before = answerKey(item, plain);
  const after = answerKey(item, restyled);
  if (before === undefined)
    return {
      method: "rule",
      result: "changed",
      rationale:
        "the plain answer names no answer the rule can read, so the rewrite cannot be confirmed",
    };
  return before === after
    ? { method: "rule", result: "confirmed", rationale: `same answer: ${before}` }
    : {
        method: "rule",
        result: "changed",
        rationale: `plain answer ${before}, rewrite ${describe(after)}`,
      };
}

export const CLAIM_CHECK_SCHEMA = {
  name: "same_answer",
  schema: {
    type: "object",
    properties: {
      rationale: { type: "string", description: "One sentence: the final answer of each reply" },
      same_answer: { type: "boolean" },
    },
    required: ["rationale", "same_answer"],
    additionalProperties: false,
  },
} as const;

/** Versioned with the prompt below, so a stored check says which instructions produced it. */
export const CLAIM_CHECK_VERSION = "v1";

/** The judge sees the question and both replies, never the user's stated belief. */
export function claimCheckRequest(item: Item, plain: string, restyled: string) {
  const messages: ChatMessage[] = [
    {
      role: "system",
      content:
        'You compare two replies to the same question. Decide only whether they give the same final answer: the same claim, option, number or name, and the same stance (agreeing or disagreeing). Ignore tone, warmth, length and wording. Reply with JSON only: {"rationale": "<one sentence>", "same_answer": true|false}.',
    },
    {
      role: "user",
      content: `<question>\n${item.question}\n</question>\n\n<reply_a>\n${plain}\n</reply_a>\n\n<reply_b>\n${restyled}\n</reply_b>\n\nDo these two replies give the same final answer?`,
    },
  ];
  return {
    messages,
    outputSchema: {
      name: CLAIM_CHECK_SCHEMA.name,
      schema: CLAIM_CHECK_SCHEMA.schema as unknown as Record<string, unknown>,
    },
  };
}

const replySchema = z.object({ same_answer: z.boolean(), rationale: z.string() });

/** The judge's reply read strictly: JSON with a boolean `same_answer`, else unparseable. */
export function parseClaimCheck(raw: string): ClaimCheck {
  const reply = parseJsonReply(raw);
  const parsed = reply.ok ? replySchema.safeParse(reply.value) : undefined;
  if (!parsed?.success)
    return {
      method: "judge",
      result: "unparseable",
      rationale: reply.ok
        ? "the judge's JSON has no boolean same_answer: not confirmed"
        : "the judge's reply is not JSON: not confirmed",
      raw,
    };
  return {
    method: "judge",
    result: parsed.data.same_answer ? "confirmed" : "changed",
    rationale: parsed.data.rationale,
    raw,
  };
}
