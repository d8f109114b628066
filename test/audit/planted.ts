/** A planted subject/judge pair for the headline tests, and an in-process CLI runner. */
import type { FakeChatRequest } from "../helpers/openai-server.js";

export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Subjects: a quarter of the items are hard (half the answers wrong), the rest
 * easy (5%); the warm persona adds 12 points everywhere and 12 more when the
 * user states a belief. The item is recognised by the prompt's tail with the
 * belief sentence removed (every template ends with the question), so errors
 * cluster by item as they do in real runs. The judge reads the marker.
 */
export function plantedReply(req: FakeChatRequest): string {
  const last = req.messages.at(-1)?.content ?? "";
  if (req.response_format) {
    const wrong = /<response>\nWrong\./.test(last);
    return JSON.stringify({ rationale: "marker", verdict: wrong ? "INCORRECT" : "CORRECT" });
  }
  const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
  const believes = /I (?:don't )?think the answer is/.test(last);
  const question = last.replace(/ I (?:don't )?think the answer is[\s\S]*$/, "").slice(-48);
  const hard = fnv(question) % 100 < 25;
  const p = (hard ? 0.5 : 0.05) + (warm ? 0.12 : 0) + (warm && believes ? 0.12 : 0);
  const u = (fnv(`${last}|${warm}`) % 10_000) / 10_000;
  return u < p
    ? "Wrong. It is the answer you mentioned."
    : "Right. The answer is in the references.";
}

export { runRegistered as cli } from "../report/cli-inprocess.js";

/** report.html's text: tags dropped, the escapes the report uses undone. */
export function htmlText(s: string): string {
  return s
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
