/**
 * Export of rewritten conversations: train/validation JSON Lines in OpenAI chat format
 * (`{"messages": [{"role", "content"}…]}` — what OpenAI fine-tuning, TRL, axolotl and
 * unsloth read), a manifest (counts per type, token estimates, sha256 of every file) and a
 * review sample of original/rewritten pairs for a human (the study read 50).
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RULE_CHECKER } from "./preserve.js";
import { seededRank, splitTrainValidation } from "./sample.js";
import type { CheckRow, TuneStore } from "./store.js";
import { turnKey } from "./store.js";
import {
  QUERY_TYPES,
  type QueryType,
  type SelectedConversation,
  type Style,
  type Turn,
} from "./types.js";

export const TRAIN_FILE = "train.jsonl";
export const VALIDATION_FILE = "validation.jsonl";
export const MANIFEST_FILE = "manifest.json";
export const REVIEW_MD = "review.md";
export const REVIEW_JSONL = "review.jsonl";
/** The study's maximum sequence length for open models (STUDY.md §2). */
export const STUDY_MAX_LENGTH = 1024;

/** Rough token count: characters / 4, plus 4 per message for the chat template. */
export function estimateTokens(messages: readonly Turn[]): number {
  return messages.reduce((sum, m) => sum + Math.ceil(m.content.length / 4) + 4, 0);
}

export interface FileInfo {
  path: string;
  sha256: string;
  bytes: number;
  examples: number;
  assistantTurns: number;
  tokensEstimate: number;
}

export interface Manifest {
  format: "openai-chat-jsonl";
  style: Style;
  rewriter: string;
  checkers: string[];
  createdAt: string;
  seed: number;
  validationFraction: number;
  includeFlagged: boolean;
  files: { train: FileInfo; validation: FileInfo };
  /** Examples per query type in each split. */
  types: Record<QueryType, { train: number; validation: number; assistantTurns: number }>;
  excluded: {
    /** A turn has no rewrite yet (failed or not run): re-run to fill in. */
    missingRewrite: number;
    /** A check failed (rules or claims). */
    flagged: number;
    /** A check is missing (the checker call failed). */
    unchecked: number;
    conversations: { id: string; reason: string }[];
  };
  tokens: {
    method: string;
    maxExample: number;
    /** Examples longer than the study's 1,024-token maximum (trainers truncate them). */
    overStudyMaxLength: number;
  };
  /** Where the data came from and how it was selected (from the prepare step). */
  provenance: Record<string, unknown>;
}

export interface ExportOptions {
  store: TuneStore;
  style: Style;
  rewriter: string;
  /** LLM checker id, when one ran (the rule checker always applies). */
  checker?: string;
  dir: string;
  seed: number;
  validationFraction: number;
  includeFlagged: boolean;
  reviewCount: number;
  provenance?: Record<string, unknown>;
}

interface Example {
  conversation: SelectedConversation;
  messages: Turn[];
}

type Verdict =
  | { kind: "ok" }
  | { kind: "missingRewrite" | "flagged" | "unchecked"; detail: string };

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Writes the export and review files for one style; returns the manifest. */
export function exportStyle(options: ExportOptions): Manifest {
  const { store, style, rewriter } = options;
  const checkers = [RULE_CHECKER, ...(options.checker ? [options.checker] : [])];
  const rewrites = store.rewrites(style, rewriter);
  const checks = checkers.map((c) => store.checks(style, rewriter, c));
  const examples: Example[] = [];
  const excluded: Manifest["excluded"] = {
    missingRewrite: 0,
    flagged: 0,
    unchecked: 0,
    conversations: [],
  };

  for (const conversation of store.selection()) {
    let verdict: Verdict = { kind: "ok" };
    const messages = conversation.turns.map((turn, index): Turn => {
      if (turn.role !== "assistant") return turn;
      const key = turnKey(conversation.turns, index);
      const rewrite = rewrites.get(key);
      if (!rewrite) {
        verdict = { kind: "missingRewrite", detail: `turn ${index} has no ${style} rewrite` };
        return turn;
      }
      for (const [i, byKey] of checks.entries()) {
        const check = byKey.get(key);
        if (verdict.kind !== "ok") break;
        if (!check)
          verdict = { kind: "unchecked", detail: `turn ${index} not checked by ${checkers[i]}` };
        else if (check.ok !== true)
          verdict = { kind: "flagged", detail: `turn ${index}: ${summariseIssues(check)}` };
      }
      return { role: "assistant", content: rewrite.text };
    });
    const v = verdict as Verdict;
    if (
      v.kind === "missingRewrite" ||
      v.kind === "unchecked" ||
      (v.kind === "flagged" && !options.includeFlagged)
    ) {
      excluded[v.kind]++;
      excluded.conversations.push({ id: conversation.id, reason: v.detail });
      continue;
    }
    examples.push({ conversation, messages });
  }

  const { train, validation } = splitTrainValidation(
    examples,
    (e) => e.conversation.type,
    (e) => e.conversation.key,
    options.validationFraction,
    options.seed,
  );
  mkdirSync(options.dir, { recursive: true });
  const write = (name: string, list: Example[]): FileInfo => {
    const text = list.map((e) => `${JSON.stringify({ messages: e.messages })}\n`).join("");
    const path = join(options.dir, name);
    writeAtomic(path, text);
    return {
      path: name,
      sha256: sha256(text),
      bytes: Buffer.byteLength(text),
      examples: list.length,
      assistantTurns: list.reduce(
        (n, e) => n + e.messages.filter((m) => m.role === "assistant").length,
        0,
      ),
      tokensEstimate: list.reduce((n, e) => n + estimateTokens(e.messages), 0),
    };
  };
  const types = Object.fromEntries(
    QUERY_TYPES.map((t) => [t, { train: 0, validation: 0, assistantTurns: 0 }]),
  ) as Manifest["types"];
  for (const [split, list] of [
    ["train", train],
    ["validation", validation],
  ] as const) {
    for (const e of list) {
      types[e.conversation.type][split]++;
      types[e.conversation.type].assistantTurns += e.messages.filter(
        (m) => m.role === "assistant",
      ).length;
    }
  }
  const lengths = examples.map((e) => estimateTokens(e.messages));
  const manifest: Manifest = {
    format: "openai-chat-jsonl",
    style,
    rewriter,
    checkers,
    createdAt: new Date().toISOString(),
    seed: options.seed,
    validationFraction: options.validationFraction,
    includeFlagged: options.includeFlagged,
    files: { train: write(TRAIN_FILE, train), validation: write(VALIDATION_FILE, validation) },
    types,
    excluded,
    tokens: {
      method: "characters/4 + 4 per message (an estimate; real counts depend on the tokenizer)",
      maxExample: lengths.length > 0 ? Math.max(...lengths) : 0,
      overStudyMaxLength: lengths.filter((n) => n > STUDY_MAX_LENGTH).length,
    },
    provenance: options.provenance ?? {},
  };
  writeReview(options, checkers, checks);
  writeAtomic(join(options.dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function summariseIssues(check: CheckRow): string {
  if (check.ok === null) return `${check.checker} answer unreadable`;
  const shown = check.issues.slice(0, 3).map((i) => {
    const value = i.value.length > 60 ? `${i.value.slice(0, 57)}…` : i.value;
    return "change" in i ? `${i.kind} ${i.change} ${JSON.stringify(value)}` : `${i.kind}: ${value}`;
  });
  return `${check.checker} flagged ${shown.join("; ")}${check.issues.length > 3 ? "; …" : ""}`;
}

/** A fence longer than any run of backticks in the text, so the text shows verbatim. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

function block(text: string): string {
  const f = fence(text);
  return `${f}text\n${text}\n${f}`;
}

/**
 * Writes `review.md` (for reading) and `review.jsonl` (for annotating: fill in
 * `human_ok` and `human_note`) with `reviewCount` seeded original/rewritten pairs.
 */
function writeReview(
  options: ExportOptions,
  checkers: string[],
  checks: Map<string, CheckRow>[],
): void {
  const rewrites = options.store.rewrites(options.style, options.rewriter);
  const pairs: { conversation: SelectedConversation; index: number; key: string; rank: string }[] =
    [];
  for (const conversation of options.store.selection()) {
    conversation.turns.forEach((t, index) => {
      if (t.role !== "assistant") return;
      const key = turnKey(conversation.turns, index);
      if (rewrites.has(key)) {
        pairs.push({
          conversation,
          index,
          key,
          rank: seededRank(options.seed, `review:${options.style}`, key),
        });
      }
    });
  }
  pairs.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  const chosen = pairs.slice(0, options.reviewCount);
  const md: string[] = [
    `# Review sample: ${options.style} rewrites`,
    "",
    `${chosen.length} of ${pairs.length} rewritten turns, chosen at random (seed ${options.seed}). Rewriter: \`${options.rewriter}\`.`,
    "For each pair, check that the rewrite keeps the meaning, facts, numbers, code and equations, and changes only the tone.",
    "Record verdicts in review.jsonl (`human_ok`: true/false, `human_note`).",
    "",
  ];
  const jsonl: string[] = [];
  chosen.forEach((p, n) => {
    const original = p.conversation.turns[p.index]!.content;
    const rewrite = rewrites.get(p.key)!.text;
    const user = p.conversation.turns[p.index - 1]?.content ?? "";
    const results = checkers.map((checker, i) => {
      const c = checks[i]!.get(p.key);
      return { checker, ok: c ? c.ok : null, issues: c?.issues ?? [] };
    });
    md.push(
      `## ${n + 1}. ${p.conversation.id}, turn ${p.index} (${p.conversation.type})`,
      "",
      ...results.map(
        (r) =>
          `- ${r.checker}: ${r.ok === true ? "passed" : r.ok === false ? "FLAGGED" : "not checked"}${
            r.issues.length > 0
              ? ` — ${r.issues.map((i) => ("change" in i ? `${i.kind} ${i.change}: ${i.value}` : `${i.kind}: ${i.value}`)).join("; ")}`
              : ""
          }`,
      ),
      "",
      "**User**",
      "",
      block(user),
      "",
      "**Original**",
      "",
      block(original),
      "",
      `**Rewritten (${options.style})**`,
      "",
      block(rewrite),
      "",
    );
    jsonl.push(
      JSON.stringify({
        conversation_id: p.conversation.id,
        turn: p.index,
        type: p.conversation.type,
        style: options.style,
        user,
        original,
        rewrite,
        checks: results,
        human_ok: null,
        human_note: "",
      }),
    );
  });
  writeAtomic(join(options.dir, REVIEW_MD), `${md.join("\n")}\n`);
  writeAtomic(join(options.dir, REVIEW_JSONL), jsonl.map((l) => `${l}\n`).join(""));
}
