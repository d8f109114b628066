/**
 * What a provider does with a reply that is not a normal answer: too large (cut at
 * `max_response_bytes`), empty, or not the JSON the API documents. Model output is untrusted:
 * every message quotes it only as a short, single-line excerpt.
 */
import { ProviderCallError } from "../errors.js";
import type { GenerateResult } from "./types.js";

/** Sized for 300-token answers (~1.5 kB of JSON) with generous headroom: long chain-of-thought
 * answers and reasoning fields fit, a runaway server does not. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

/** finish_reason recorded for a reply cut at `max_response_bytes`. */
export const TRUNCATED_FINISH = "response_too_large";

/** The body of a successful reply passed `limit` bytes; reading stopped there. */
export class ResponseTooLarge extends Error {
  override readonly name = "ResponseTooLarge";
  constructor(
    readonly limit: number,
    /** The bytes read before stopping (at most `limit`). */
    readonly prefix: Buffer,
  ) {
    super(`reply larger than max_response_bytes (${limit} bytes)`);
  }
}

/** A 2xx body that does not parse as JSON; `truncated` when it ended mid-value (transient). */
export class ReplyNotJson extends Error {
  override readonly name = "ReplyNotJson";
  constructor(
    readonly excerptText: string,
    readonly truncated: boolean,
  ) {
    super(
      truncated
        ? `reply ended in the middle of its JSON (${excerptText})`
        : `reply is not JSON, expected the API's JSON object (got ${excerptText})`,
    );
  }
}

/** The server sent no answer text (null or empty content). Retried; EMPTY once retries run out. */
export class EmptyReply extends ProviderCallError {
  constructor(ref: string, finishReason: string | undefined) {
    super(
      `${ref}: the reply had no content${finishReason ? ` (finish reason ${finishReason})` : ""}`,
      true,
    );
  }
}

/** A short single-line excerpt of untrusted text, for error messages. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

/** Parses a reply body, turning parse failures into ReplyNotJson. */
export function parseReplyJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const trimmed = text.trimEnd();
    // Starts like JSON but stops early: a dropped connection or a proxy cut it. Worth a retry.
    const truncated = /^[[{]/.test(trimmed.trimStart()) && !/[}\]]$/.test(trimmed);
    throw new ReplyNotJson(excerpt(text), truncated);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The reply must be a JSON object with `field` (choices for OpenAI, content for Anthropic);
 * anything else (an HTML page with status 200, a JSON array) is said as such.
 */
export function expectReplyObject(ref: string, reply: unknown, field: string, what: string): void {
  if (isRecord(reply) && Array.isArray(reply[field])) return;
  const got = typeof reply === "string" ? excerpt(reply) : excerpt(JSON.stringify(reply) ?? "");
  throw new ProviderCallError(
    `${ref}: expected ${what} (a JSON object with "${field}"), got ${got}`,
    false,
  );
}

/** The first ResponseTooLarge in an error's cause chain (SDKs wrap fetch errors). */
export function findTooLarge(err: unknown): ResponseTooLarge | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    if (cur instanceof ResponseTooLarge) return cur;
    cur = cur.cause;
  }
  return undefined;
}

/** The first ReplyNotJson in an error's cause chain. */
export function findNotJson(err: unknown): ReplyNotJson | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    if (cur instanceof ReplyNotJson) return cur;
    cur = cur.cause;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * The answer text from the start of a cut-off JSON reply: the first `"content"` (OpenAI) or
 * `"text"` (Anthropic) string, decoded up to where the bytes stop. Best effort: "" when the cut
 * came before the answer began.
 */
export function salvageAnswer(prefix: string): string {
  const m = /"(?:content|text)"\s*:\s*"/.exec(prefix);
  if (!m) return "";
  let out = "";
  for (let i = m.index + m[0].length; i < prefix.length; i++) {
    const ch = prefix[i]!;
    if (ch === '"') break;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = prefix[i + 1];
    if (next === undefined) break;
    if (next === "u") {
      const hex = prefix.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ESCAPES[next] ?? next;
    i++;
  }
  return out;
}

/** A reply cut at the byte limit, as a result: the salvaged start, flagged as truncated. */
export function truncatedResult(err: ResponseTooLarge): GenerateResult {
  // A multi-byte character cut at the limit decodes as U+FFFD: drop it rather than store it.
  const text = salvageAnswer(err.prefix.toString("utf8")).replace(/\uFFFD$/, "");
  return { text, finishReason: TRUNCATED_FINISH };
}

/**
 * Max tokens for the embedded engine under a byte limit. A token is at least one byte of
 * text, and most are 3–4: a quarter of the limit keeps ordinary answers within it, and
 * boundReplyText cuts the rare reply that is not.
 */
export function maxTokensWithin(requested: number, maxBytes: number): number {
  return Math.max(1, Math.min(requested, Math.floor(maxBytes / 4)));
}

/** Text cut to at most `maxBytes` of UTF-8 (never splitting a character). */
export function boundReplyText(
  text: string,
  maxBytes: number,
): { text: string; truncated: boolean } {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) {
    return { text, truncated: false };
  }
  const cut = Buffer.from(text)
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return { text: cut, truncated: true };
}
