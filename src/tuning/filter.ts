/**
 * Cleaning before labelling: turn limit, de-duplication and an optional content filter.
 * Every function is pure; the pipeline reports what each step removed.
 */
import { readFileSync } from "node:fs";
import { contentHash } from "../design/hash.js";
import { DataError } from "../errors.js";
import type { Conversation, Turn } from "./types.js";

/** The study kept conversations of at most 20 turns (STUDY.md §2). */
export const DEFAULT_MAX_TURNS = 20;

/**
 * Keeps at most `maxTurns` user/assistant turns (a system turn does not count), cut so the
 * conversation still ends with an assistant reply. Undefined when nothing would remain.
 */
export function limitTurns(
  conversation: Conversation,
  maxTurns: number,
): { conversation: Conversation; truncated: boolean } | undefined {
  const system = conversation.turns[0]?.role === "system" ? [conversation.turns[0]] : [];
  const dialogue = conversation.turns.slice(system.length);
  if (dialogue.length <= maxTurns) return { conversation, truncated: false };
  const kept: Turn[] = dialogue.slice(0, maxTurns);
  while (kept.length > 0 && kept.at(-1)!.role !== "assistant") kept.pop();
  if (kept.length === 0) return undefined;
  return { conversation: { ...conversation, turns: [...system, ...kept] }, truncated: true };
}

/** Key for duplicate detection: turns with case and whitespace normalised. */
export function dedupKey(conversation: Conversation): string {
  return contentHash(
    conversation.turns.map((t) => [t.role, t.content.toLowerCase().replace(/\s+/g, " ").trim()]),
  );
}

/** Keeps the first of each group of duplicate conversations (same turns, up to case/spacing). */
export function dedupConversations(conversations: readonly Conversation[]): {
  kept: Conversation[];
  duplicates: { id: string; duplicateOf: string }[];
} {
  const first = new Map<string, string>();
  const kept: Conversation[] = [];
  const duplicates: { id: string; duplicateOf: string }[] = [];
  for (const c of conversations) {
    const key = dedupKey(c);
    const original = first.get(key);
    if (original !== undefined) duplicates.push({ id: c.id, duplicateOf: original });
    else {
      first.set(key, c.id);
      kept.push(c);
    }
  }
  return { kept, duplicates };
}

export interface ContentFilter {
  /** "builtin:nsfw" or the file the terms came from. */
  name: string;
  patterns: RegExp[];
}

/**
 * A deliberately small list of unambiguous sexual-content terms, matched as whole words.
 * The study removed NSFW conversations before sampling; a keyword list is a coarse stand-in
 * for that step. Bring your own list (`--content-filter <file>`) for anything serious.
 */
const NSFW_TERMS = [
  "porn",
  "porno",
  "pornographic",
  "pornography",
  "hentai",
  "nsfw",
  "erotic",
  "erotica",
  "xxx",
  "blowjob",
  "handjob",
  "masturbate",
  "masturbation",
  "orgasm",
  "nude",
  "nudes",
  "naked",
  "sexting",
  "fetish",
  "bdsm",
  "dildo",
  "genitals",
  "penis",
  "vagina",
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function wordPattern(term: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(term)}(?![\\p{L}\\p{N}])`, "iu");
}

/**
 * `builtin:nsfw` (or `nsfw`), or a file with one term per line: whole-word, case-insensitive
 * matches; `/regex/` lines are regular expressions; `#` starts a comment line.
 */
export function loadContentFilter(spec: string): ContentFilter {
  if (spec === "nsfw" || spec === "builtin:nsfw") {
    return { name: "builtin:nsfw", patterns: NSFW_TERMS.map(wordPattern) };
  }
  let text: string;
  try {
    text = readFileSync(spec, "utf8");
  } catch {
    throw new DataError(
      spec,
      undefined,
      'file not found; expected "nsfw" (the built-in list) or a file of terms, one per line',
    );
  }
  const patterns: RegExp[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const re = /^\/(.+)\/([a-z]*)$/.exec(line);
    if (re) {
      try {
        // Always case-insensitive; never stateful (g/y would make .test() skip matches).
        const flags = [...new Set(`${re[2]}i`.replace(/[gy]/g, ""))].join("");
        patterns.push(new RegExp(re[1]!, flags));
      } catch (error) {
        throw new DataError(
          spec,
          `line ${i + 1}`,
          `invalid regular expression (${(error as Error).message}); expected /pattern/flags or a plain term`,
        );
      }
    } else patterns.push(wordPattern(line));
  });
  if (patterns.length === 0)
    throw new DataError(spec, undefined, "no terms; expected one term or /regex/ per line");
  return { name: spec, patterns };
}

/** The first pattern any turn matches, or undefined when the conversation passes. */
export function filterMatch(conversation: Conversation, filter: ContentFilter): string | undefined {
  for (const turn of conversation.turns) {
    for (const p of filter.patterns) if (p.test(turn.content)) return p.source;
  }
  return undefined;
}
