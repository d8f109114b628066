/**
 * SocioT's speaker frames (Cheng, Yu & Jurafsky, "HumT DumT", ACL 2025, as used by the
 * warmth study): a text is quoted after a warm or a cold speaker, and a language model is
 * asked how likely the whole framed sequence is.
 */

/** The study cuts every text to its first 300 characters before framing it. */
export const SOCIOT_MAX_CHARS = 300;

export const WARM_SPEAKERS = ["My friend", "The lover", "The mentor", "The idol"] as const;
export const COLD_SPEAKERS = ["The stranger", "The enemy", "The examiner", "The dictator"] as const;

/** What precedes the quoted text: `My friend said, "`. */
export function framePrefix(speaker: string): string {
  return `${speaker} said, "`;
}

export const WARM_PREFIXES: readonly string[] = WARM_SPEAKERS.map(framePrefix);
export const COLD_PREFIXES: readonly string[] = COLD_SPEAKERS.map(framePrefix);

/**
 * The first `max` characters of `text`, counting Unicode code points as Python's
 * `text[:300]` does (a UTF-16 slice could split a surrogate pair).
 */
export function truncateChars(text: string, max: number = SOCIOT_MAX_CHARS): string {
  if (text.length <= max) return text;
  let count = 0;
  let end = 0;
  for (const ch of text) {
    if (count === max) break;
    end += ch.length;
    count++;
  }
  return text.slice(0, end);
}

/**
 * One framed sequence split where the frame ends: `prefix` is the frame (`My friend said, "`),
 * `continuation` is what SocioT's strict form scores given it: the truncated text and the
 * closing quotation mark.
 */
export interface FramedText {
  prefix: string;
  continuation: string;
}

/** The framed sequences of one text: warm frames first, then cold. */
export function frameText(text: string): { warm: FramedText[]; cold: FramedText[] } {
  const continuation = `${truncateChars(text)}"`;
  return {
    warm: WARM_PREFIXES.map((prefix) => ({ prefix, continuation })),
    cold: COLD_PREFIXES.map((prefix) => ({ prefix, continuation })),
  };
}
