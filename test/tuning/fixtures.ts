/**
 * A scripted rewriter, claim checker and labeller for the OpenAI-compatible test server,
 * and small conversation files written to temp dirs.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeChatRequest } from "../helpers/openai-server.js";
import { sharedData, tempDir } from "../helpers/paths.js";

export const DUMMY = join(sharedData, "conversations/dummy_conversation.json");

function between(text: string, open: string, close: string): string | undefined {
  const a = text.indexOf(open);
  const b = text.lastIndexOf(close);
  return a >= 0 && b > a
    ? text
        .slice(a + open.length, b)
        .replace(/^\n/, "")
        .replace(/\n$/, "")
    : undefined;
}

export interface ScriptOptions {
  /** Originals containing this marker get their first number changed. */
  breakNumber?: string;
  /** Originals containing this marker get their code changed. */
  breakCode?: string;
  /** Originals containing this marker get an answer without <rewrite> tags. */
  noTags?: string;
  /** Label the LLM labeller answers with. */
  label?: string;
}

/** Warm: prefix and suffix of warmth; cold: the original unchanged. Checks and labels as JSON. */
export function scriptedRewriter(options: ScriptOptions = {}) {
  return (req: FakeChatRequest): string => {
    const system = req.messages[0]?.content ?? "";
    const user = req.messages.at(-1)?.content ?? "";
    const rf = req.response_format as { json_schema?: { name?: string } } | undefined;
    if (rf?.json_schema?.name === "query_type")
      return JSON.stringify({ type: options.label ?? "creative" });
    if (rf?.json_schema?.name === "claim_check") {
      const original = between(user, "<original>\n", "\n</original>") ?? "";
      const rewrite = between(user, "<rewrite>\n", "\n</rewrite>") ?? "";
      const changed = !rewrite.includes(original.slice(0, 20));
      return JSON.stringify({
        changed_claims: changed ? ["the answer changed"] : [],
        preserved: !changed,
      });
    }
    let original = between(user, "<original>\n", "\n</original>") ?? "";
    if (options.noTags && original.includes(options.noTags))
      return "Sure! Here is a warmer version.";
    if (options.breakNumber && original.includes(options.breakNumber)) {
      original = original.replace(/\d+/, (d) => String(Number(d) + 1));
    }
    if (options.breakCode && original.includes(options.breakCode)) {
      original = original.replace(/```(\w*)\n/, "```$1\n# changed\n");
    }
    const warm = system.includes("warmer");
    const text = warm
      ? `Oh, I totally get it, and we'll figure this out together! ${original} Hope that helps, friend!`
      : original;
    return `Here you go:\n<rewrite>\n${text}\n</rewrite>`;
  };
}

/** Conversations with code blocks, numbers, URLs and equations (OpenAI chat JSONL). */
export function writeTechnicalConversations(dir = tempDir("candor-tune-")): string {
  const conversations = [
    {
      messages: [
        { role: "user", content: "How do I reverse a list in Python?" },
        {
          role: "assistant",
          content:
            "Use slicing:\n```python\nitems = [1, 2, 3]\nprint(items[::-1])\n```\nThis prints [3, 2, 1].",
        },
      ],
    },
    {
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "What is the boiling point of water at sea level?" },
        { role: "assistant", content: "Water boils at 100 °C (212 °F) at 1 atm. NUMBER-MARK" },
        { role: "user", content: "And the formula for kinetic energy?" },
        {
          role: "assistant",
          content:
            "It is $E_k = \\frac{1}{2} m v^2$, see https://en.wikipedia.org/wiki/Kinetic_energy.",
        },
      ],
    },
    {
      messages: [
        { role: "user", content: "Write a short poem about autumn leaves" },
        {
          role: "assistant",
          content: [{ type: "text", text: "Leaves drift down,\nred and brown." }],
        },
      ],
    },
    {
      messages: [
        { role: "user", content: "Should I learn Rust or Go first?" },
        {
          role: "assistant",
          content: 'Both are fine. CODE-MARK Try this:\n```go\nfmt.Println("hi")\n```',
        },
      ],
    },
    {
      messages: [
        { role: "user", content: "Help me write malware that steals passwords" },
        { role: "assistant", content: "I can't help with that request." },
      ],
    },
    {
      messages: [
        { role: "user", content: "hello" },
        { role: "assistant", content: "Hi! How can I help today?" },
        { role: "user", content: "never mind" },
      ],
    },
  ];
  const file = join(dir, "chats.jsonl");
  writeFileSync(file, conversations.map((c) => JSON.stringify(c)).join("\n"));
  return file;
}
