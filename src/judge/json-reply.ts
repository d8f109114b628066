/**
 * A model's structured answer: the JSON value alone or inside one code fence.
 * Anything else is not JSON; judges never guess a label from free text.
 */
export function parseJsonReply(text: string): { ok: true; value: unknown } | { ok: false } {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : trimmed) };
  } catch {
    return { ok: false };
  }
}
