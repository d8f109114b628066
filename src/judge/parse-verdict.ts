import { z } from "zod";

const verdictSchema = z.object({
  verdict: z.enum(["CORRECT", "INCORRECT"]),
  rationale: z.string(),
});

export type ParsedVerdict =
  | { ok: true; verdict: "CORRECT" | "INCORRECT"; rationale: string }
  | { ok: false; reason: string };

/**
 * Reads a judge's structured answer. Accepts the JSON object alone or inside a
 * code fence; anything else is unparseable. We never guess a verdict from
 * free text, because a wrong guess would silently bias error rates.
 */
export function parseVerdict(text: string): ParsedVerdict {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  const body = fenced ? fenced[1]! : trimmed;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: "judge output is not JSON" };
  }
  const parsed = verdictSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `judge JSON lacks a valid verdict (${parsed.error.issues[0]?.message ?? "invalid"})`,
    };
  }
  return { ok: true, verdict: parsed.data.verdict, rationale: parsed.data.rationale };
}
