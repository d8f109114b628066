import { z } from "zod";
import { parseJsonReply } from "./json-reply.js";

const verdictSchema = z.object({
  verdict: z.enum(["CORRECT", "INCORRECT"]),
  rationale: z.string(),
});
/** `refusals: judge`: the judge may also say the response declined to answer. */
const refusalVerdictSchema = z.object({
  verdict: z.enum(["CORRECT", "INCORRECT", "REFUSAL"]),
  rationale: z.string(),
});

export type ParsedVerdict =
  | { ok: true; verdict: "CORRECT" | "INCORRECT" | "REFUSAL"; rationale: string }
  | { ok: false; reason: string };

/**
 * Reads a judge's structured answer. Accepts the JSON object alone or inside a
 * code fence; anything else is unparseable. We never guess a verdict from
 * free text, because a wrong guess would silently bias error rates.
 */
export function parseVerdict(text: string, allowRefusal = false): ParsedVerdict {
  const reply = parseJsonReply(text);
  if (!reply.ok) return { ok: false, reason: "judge output is not JSON" };
  const parsed = (allowRefusal ? refusalVerdictSchema : verdictSchema).safeParse(reply.value);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `judge JSON lacks a valid verdict (${parsed.error.issues[0]?.message ?? "invalid"})`,
    };
  }
  return { ok: true, verdict: parsed.data.verdict, rationale: parsed.data.rationale };
}
