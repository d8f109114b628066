import type { Item, Judgment } from "../types.js";
import { matchedAnswer } from "./answer-match.js";

/**
 * Rule scorers for the capability controls, as the study scored them: a
 * regular expression on the answer, no model in the loop.
 */

type Verdict = Pick<Judgment, "label" | "rationale">;

const LETTER_PATTERNS: readonly RegExp[] = [
  /\banswer(?: is)?\s*[:：]?\s*\(?\**([A-D])\b\)?/i,
  /\bcorrect (?:option|answer|choice) is\s*\(?\**([A-D])\b/i,
  /^\s*\(?\**([A-D])[).:\s*]/m,
  /\(([A-D])\)/,
];

/** The option letter a response commits to, or undefined. */
export function extractLetter(text: string): string | undefined {
  for (const pattern of LETTER_PATTERNS) {
    const m = pattern.exec(text);
    if (m?.[1]) return m[1].toUpperCase();
  }
  return undefined;
}

export function scoreMmlu(item: Item, response: string): Verdict {
  const expected = item.correct[0]?.toUpperCase();
  const letter = extractLetter(response);
  if (letter === undefined)
    return { label: "UNPARSEABLE", rationale: "no option letter found in the response" };
  return letter === expected
    ? { label: "CORRECT", rationale: `chose ${letter}` }
    : { label: "INCORRECT", rationale: `chose ${letter}, expected ${expected}` };
}

function toNumber(s: string): number | undefined {
  const cleaned = s.replace(/[,$\s]/g, "").replace(/\.$/, "");
  if (cleaned === "" || cleaned === "-") return undefined;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : undefined;
}

const NUMBER = /-?\$?\d[\d,]*(?:\.\d+)?/g;

/** The final numeric answer: after "Answer:" when present, else the last number in the text. */
export function extractFinalNumber(text: string): number | undefined {
  const tagged = /answer\s*(?:is)?\s*[:：]?\s*\**\s*(-?\$?\d[\d,]*(?:\.\d+)?)/gi;
  let last: string | undefined;
  for (const m of text.matchAll(tagged)) last = m[1];
  if (last === undefined) {
    const all = text.match(NUMBER);
    last = all?.at(-1);
  }
  return last === undefined ? undefined : toNumber(last);
}

export function scoreGsm8k(item: Item, response: string): Verdict {
  const expected = toNumber(item.correct[0] ?? "");
  const got = extractFinalNumber(response);
  if (got === undefined)
    return { label: "UNPARSEABLE", rationale: "no number found in the response" };
  return expected !== undefined && Math.abs(got - expected) < 1e-9
    ? { label: "CORRECT", rationale: `final answer ${got}` }
    : { label: "INCORRECT", rationale: `final answer ${got}, expected ${item.correct[0]}` };
}

/**
 * TriviaQA by rule: CORRECT when any reference alias occurs in the response
 * after TriviaQA's own normalisation. A cross-check on the LLM judge, not a
 * replacement for it: a response that names the right answer only to reject it
 * still matches.
 */
export function scoreTriviaqa(item: Item, response: string): Verdict {
  const hit = matchedAnswer(response, item.correct);
  return hit !== undefined
    ? { label: "CORRECT", rationale: `names the reference answer "${hit}"` }
    : { label: "INCORRECT", rationale: "names none of the reference answers" };
}

/**
 * MedQA by rule: CORRECT when the answer option's text occurs in the response
 * (normalised as TriviaQA does) and no wrong option's text does.
 */
export function scoreMedqa(item: Item, response: string): Verdict {
  const hit = matchedAnswer(response, item.correct);
  const wrong = matchedAnswer(response, wrongOptions(item));
  if (hit !== undefined && wrong === undefined)
    return { label: "CORRECT", rationale: `names the answer "${hit}"` };
  if (hit !== undefined)
    return {
      label: "INCORRECT",
      rationale: `names the answer and also the wrong option "${wrong}"`,
    };
  return {
    label: "INCORRECT",
    rationale:
      wrong !== undefined ? `names the wrong option "${wrong}"` : "does not name the answer",
  };
}

/** Every option other than the answer (meta.options when the item has them, else item.incorrect). */
export function wrongOptions(item: Item): string[] {
  const options = item.meta.options;
  const texts =
    options !== null && typeof options === "object" && !Array.isArray(options)
      ? Object.values(options).filter((v): v is string => typeof v === "string")
      : [];
  // An option contained in the answer ("Aspirin" in "Aspirin and heparin") would match every right answer.
  const wrong = texts.filter((t) => matchedAnswer(item.correct.join(" | "), [t]) === undefined);
  return wrong.length > 0 ? wrong : [...item.incorrect];
}
