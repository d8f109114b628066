/**
 * Conversation sources → validated conversations.
 *
 * Accepted shapes, per record (detected per record, so mixed files work):
 *  - ShareGPT: `{id, conversations: [{from: "human"|"gpt"|"system", value}]}` (JSON array,
 *    JSON Lines or Parquet);
 *  - OpenAI chat: `{messages: [{role: "user"|"assistant"|"system", content}]}` (JSON Lines,
 *    the fine-tuning format; `content` may also be a list of text parts);
 *  - Hugging Face chat datasets: the same two columns (`messages` or `conversations`,
 *    either turn shape) in their Parquet or JSON Lines files.
 * Files are read with the data layer's `readTable`, so positions in error messages are
 * the same as for task datasets ("element [12]", "line 7", "row 3").
 */
import { stat } from "node:fs/promises";
import { sha256File } from "../data/hub/download.js";
import { isPlainObject, type Row, readTable, type TableFormat } from "../data/table.js";
import { contentHash } from "../design/hash.js";
import { DataError } from "../errors.js";
import type { Conversation, Turn } from "./types.js";

/** Field names tried, in order, when the caller does not name the turns field. */
export const TURN_FIELDS = ["messages", "conversations", "conversation"] as const;

const ROLE_ALIASES: Readonly<Record<string, Turn["role"]>> = {
  human: "user",
  user: "user",
  prompter: "user",
  gpt: "assistant",
  assistant: "assistant",
  chatgpt: "assistant",
  bard: "assistant",
  bing: "assistant",
  model: "assistant",
  bot: "assistant",
  system: "system",
};

const EXPECTED_RECORD = `a conversation record with a "conversations" list of {from, value} turns (ShareGPT) or a "messages" list of {role, content} turns (OpenAI chat)`;

export interface ReadConversationOptions {
  /** Name of the field holding the turns; default: the first of TURN_FIELDS present. */
  turnsField?: string;
  /** File format when the extension does not tell (json, jsonl, parquet). */
  format?: TableFormat;
  /** Skip malformed records (counted and reported) instead of stopping at the first. */
  skipInvalid?: boolean;
  /** How to name the file in messages (e.g. the URL a cached download came from). */
  name?: string;
}

export interface SkippedRecord {
  file: string;
  where: string;
  reason: string;
}

export interface ReadConversationsResult {
  conversations: Conversation[];
  /** Records left out: malformed ones (with `skipInvalid`) and ones with nothing to train on. */
  skipped: SkippedRecord[];
  /** Records in the file. */
  records: number;
  file: { path: string; sha256: string; bytes: number };
}

/** Reads one local file of conversations. Malformed records throw DataError (see options). */
export async function readConversationsFile(
  path: string,
  options: ReadConversationOptions = {},
): Promise<ReadConversationsResult> {
  const table = await readTable(path, {
    ...(options.format !== undefined && { format: options.format }),
    ...(options.name !== undefined && { name: options.name }),
    expected: "a ShareGPT JSON file or an OpenAI chat JSONL file of conversations",
  });
  const conversations: Conversation[] = [];
  const skipped: SkippedRecord[] = [];
  for (const row of table.rows) {
    let parsed: Conversation | { skip: string };
    try {
      parsed = conversationFromRow(table.file, row, options.turnsField);
    } catch (error) {
      if (options.skipInvalid && error instanceof DataError) {
        skipped.push({
          file: table.file,
          where: error.where ?? row.where,
          reason: error.expected,
        });
        continue;
      }
      throw error;
    }
    if ("skip" in parsed) skipped.push({ file: table.file, where: row.where, reason: parsed.skip });
    else conversations.push(parsed);
  }
  const info = await stat(path);
  return {
    conversations: uniqueIds(conversations),
    skipped,
    records: table.rows.length,
    file: { path: table.file, sha256: await sha256File(path), bytes: info.size },
  };
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return value === "" ? "an empty string" : JSON.stringify(value);
  return `a ${typeof value}`;
}

/** Text of a turn's content: a string, or a list of `{type: "text", text}` parts. */
function contentText(value: unknown, file: string, where: string): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((part, i) => {
        if (typeof part === "string") return part;
        if (isPlainObject(part) && typeof part.text === "string") return part.text;
        throw new DataError(
          file,
          `${where}[${i}]`,
          `found ${describeValue(part)}; expected text (a string or {"type": "text", "text": "…"}) — only text conversations can be rewritten`,
        );
      })
      .join("");
  }
  throw new DataError(file, where, `found ${describeValue(value)}; expected the turn's text`);
}

/**
 * One record → a conversation, or `{skip}` when it is well formed but has nothing to
 * train on (no turns, no assistant reply). Throws DataError naming the record, the turn
 * and what was expected when it is malformed.
 */
export function conversationFromRow(
  file: string,
  row: Row,
  turnsField?: string,
): Conversation | { skip: string } {
  const values = row.values;
  const field = turnsField ?? TURN_FIELDS.find((f) => values[f] !== undefined);
  if (field === undefined || values[field] === undefined) {
    const keys = Object.keys(values).slice(0, 8).join(", ") || "none";
    throw new DataError(
      file,
      row.where,
      `no ${turnsField ? `"${turnsField}"` : '"conversations" or "messages"'} field (keys: ${keys}); expected ${EXPECTED_RECORD}`,
    );
  }
  const list = values[field];
  if (!Array.isArray(list)) {
    throw new DataError(
      file,
      `${row.where}, ${field}`,
      `found ${describeValue(list)}; expected a list of turns`,
    );
  }
  const turns: Turn[] = [];
  list.forEach((raw, i) => {
    const at = `${row.where}, ${field}[${i}]`;
    if (!isPlainObject(raw)) {
      throw new DataError(
        file,
        at,
        `found ${describeValue(raw)}; expected a turn object ({from, value} or {role, content})`,
      );
    }
    const roleKey = raw.from !== undefined ? "from" : "role";
    const textKey = raw.value !== undefined ? "value" : "content";
    const roleValue = raw[roleKey];
    if (typeof roleValue !== "string") {
      throw new DataError(
        file,
        at,
        `found ${describeValue(roleValue)} for "${roleKey}"; expected the speaker ("from": human/gpt/system or "role": user/assistant/system)`,
      );
    }
    const role = ROLE_ALIASES[roleValue.trim().toLowerCase()];
    if (!role) {
      throw new DataError(
        file,
        `${at}.${roleKey}`,
        `found ${JSON.stringify(roleValue)}; expected one of ${Object.keys(ROLE_ALIASES).join(", ")}`,
      );
    }
    turns.push({ role, content: contentText(raw[textKey], file, `${at}.${textKey}`) });
  });
  const checked = checkOrder(file, row.where, field, turns);
  if ("skip" in checked) return checked;
  const idValue = values.id ?? values.conversation_id;
  const id =
    typeof idValue === "string" && idValue.trim() !== ""
      ? idValue.trim()
      : typeof idValue === "number"
        ? String(idValue)
        : `conv-${contentHash(checked.turns, 12)}`;
  return { id, turns: checked.turns, file, where: row.where };
}

/**
 * Turns must be: optional system turn first, then user and assistant alternating, starting
 * with the user. A trailing user turn (no reply) is dropped. Empty assistant turns and
 * conversations without any reply are skipped, not errors.
 */
function checkOrder(
  file: string,
  where: string,
  field: string,
  turns: Turn[],
): { turns: Turn[] } | { skip: string } {
  if (turns.length === 0) return { skip: "no turns" };
  let expect: Turn["role"] = "user";
  const out: Turn[] = [];
  for (const [i, turn] of turns.entries()) {
    if (turn.role === "system") {
      if (i !== 0) {
        throw new DataError(
          file,
          `${where}, ${field}[${i}]`,
          "found a system turn after the conversation started; expected the system turn (if any) first",
        );
      }
      out.push(turn);
      continue;
    }
    if (turn.role !== expect) {
      const a = (role: string) => (role === "assistant" ? `an ${role}` : `a ${role}`);
      const previous = out.length === 0 ? "the start" : `${a(out.at(-1)!.role)} turn`;
      throw new DataError(
        file,
        `${where}, ${field}[${i}]`,
        `found ${a(turn.role)} turn after ${previous}; expected user and assistant turns to alternate, starting with the user`,
      );
    }
    if (turn.role === "assistant" && turn.content.trim() === "") {
      return { skip: `empty assistant turn (${field}[${i}])` };
    }
    out.push(turn);
    expect = expect === "user" ? "assistant" : "user";
  }
  while (out.length > 0 && out.at(-1)!.role !== "assistant") out.pop();
  if (!out.some((t) => t.role === "assistant")) return { skip: "no assistant reply" };
  return { turns: out };
}

/** Ids must be unique: later duplicates get "-2", "-3"… in file order. */
export function uniqueIds(conversations: Conversation[]): Conversation[] {
  const seen = new Map<string, number>();
  return conversations.map((c) => {
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    return n === 1 ? c : { ...c, id: `${c.id}-${n}` };
  });
}
