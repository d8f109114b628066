import { describe, expect, it } from "vitest";
import {
  checkPreservation,
  codeBlocks,
  describeIssue,
  equations,
  inlineCode,
  numbers,
  urls,
} from "../../src/tuning/preserve.js";
import {
  claimCheckMessages,
  parseClaimCheck,
  parseRewrite,
  rewriteMessages,
  rewriteSystemPrompt,
} from "../../src/tuning/prompts.js";

const ORIGINAL = [
  "Use slicing:",
  "```python",
  "items = [1, 2, 3]",
  "print(items[::-1])",
  "```",
  "Call `reversed()` for an iterator. It costs about 1,000 ms for 2.5 million items.",
  "1. First step",
  "2. Second step",
  "The energy is $E = mc^2$ and $$\\int_0^1 x\\,dx = \\frac{1}{2}$$.",
  "Docs: https://docs.python.org/3/library/functions.html#reversed.",
].join("\n");

const WARM = [
  "Great question, and I'm so glad you asked! Let's do it together with slicing:",
  "```py",
  "items = [1, 2, 3]   ",
  "print(items[::-1])",
  "```",
  "We can also call `reversed()` for an iterator. It costs about 1000 ms for 2.5 million items, so no worries!",
  "- First step",
  "- Second step",
  "The energy is $E = mc^2$ and $$\\int_0^1 x\\,dx = \\frac{1}{2}$$.",
  "Here are the docs for you: https://docs.python.org/3/library/functions.html#reversed",
].join("\n");

describe("content-preservation checks", () => {
  it("extracts code, equations, URLs and numbers", () => {
    expect(codeBlocks(ORIGINAL)).toEqual(["items = [1, 2, 3]\nprint(items[::-1])"]);
    expect(inlineCode(ORIGINAL)).toEqual(["reversed()"]);
    expect(equations(ORIGINAL)).toEqual(["\\int_0^1 x\\,dx = \\frac{1}{2}", "E = mc^2"]);
    expect(urls(ORIGINAL)).toEqual(["https://docs.python.org/3/library/functions.html#reversed"]);
    // Code, equations, URLs and list markers are not prose numbers; "1,000" is 1000.
    expect(numbers(ORIGINAL)).toEqual(["1000", "2.5"]);
    expect(numbers("Costs $5 and $10, about 3.5%.")).toEqual(["5", "10", "3.5"]);
  });

  it("passes a rewrite that changes only tone and formatting around the content", () => {
    expect(checkPreservation(ORIGINAL, WARM)).toEqual({ ok: true, issues: [] });
  });

  it("catches a changed number", () => {
    const r = checkPreservation(ORIGINAL, WARM.replace("2.5 million", "3 million"));
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([
      { kind: "number", change: "missing", value: "2.5" },
      { kind: "number", change: "added", value: "3" },
    ]);
    expect(describeIssue(r.issues[0]!)).toBe('number missing: "2.5"');
  });

  it("catches a changed code block, even a one-character edit", () => {
    const r = checkPreservation(ORIGINAL, WARM.replace("items[::-1]", "items[::1]"));
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => [i.kind, i.change])).toEqual([
      ["code-block", "missing"],
      ["code-block", "added"],
    ]);
  });

  it("catches dropped inline code, a changed equation and a changed URL", () => {
    expect(checkPreservation(ORIGINAL, WARM.replace("`reversed()`", "reversed")).issues).toEqual([
      { kind: "inline-code", change: "missing", value: "reversed()" },
    ]);
    expect(
      checkPreservation(ORIGINAL, WARM.replace("mc^2", "mc^3")).issues.map((i) => i.kind),
    ).toEqual(["equation", "equation"]);
    expect(
      checkPreservation(ORIGINAL, WARM.replace("#reversed", "#sorted")).issues.map((i) => i.kind),
    ).toEqual(["url", "url"]);
  });

  it("catches a number spelled out and a code block removed", () => {
    expect(checkPreservation("You need 3 eggs.", "Aw, you'll need three eggs!").issues).toEqual([
      { kind: "number", change: "missing", value: "3" },
    ]);
    expect(checkPreservation("Run:\n```\nls -la\n```", "Just run ls -la!").issues[0]).toMatchObject(
      {
        kind: "code-block",
        change: "missing",
      },
    );
  });
});

describe("rewrite prompts", () => {
  it("ask for the study's warm and cold changes and to keep content", () => {
    const warm = rewriteSystemPrompt("warm");
    for (const s of [/empathy/, /validate the user's feelings/, /inclusive/, /informal/])
      expect(warm).toMatch(s);
    const cold = rewriteSystemPrompt("cold");
    for (const s of [/direct, concise and emotionally neutral/, /formal, impersonal/])
      expect(cold).toMatch(s);
    for (const p of [warm, cold]) {
      expect(p).toMatch(
        /every code block, inline code, command, file path, URL, equation and formula/,
      );
      expect(p).toMatch(/every number/);
      expect(p).toMatch(/<rewrite>/);
    }
  });

  it("show earlier turns as context and only the target turn to rewrite", () => {
    const turns = [
      { role: "user" as const, content: "first question" },
      { role: "assistant" as const, content: "first answer" },
      { role: "user" as const, content: "second question" },
      { role: "assistant" as const, content: "second answer" },
    ];
    const m = rewriteMessages("warm", turns, 3);
    expect(m[1]!.content).toContain(
      "<context>\nUser: first question\n\nAssistant: first answer\n\nUser: second question\n</context>",
    );
    expect(m[1]!.content).toContain("<original>\nsecond answer\n</original>");
    expect(() => rewriteMessages("warm", turns, 2)).toThrow(/not an assistant turn/);
    const long = [
      ...Array.from({ length: 10 }, (_, i) => [
        { role: "user" as const, content: `q${i} ${"x".repeat(1000)}` },
        { role: "assistant" as const, content: `a${i}` },
      ]).flat(),
    ];
    const ctx = rewriteMessages("cold", long, 19)[1]!.content;
    expect(ctx).toMatch(/\[\d+ earlier turns omitted\]/);
    expect(ctx).toContain("User: q9");
  });

  it("read the rewrite between tags, and refuse answers without them", () => {
    expect(parseRewrite("Sure!\n<rewrite>\nHello, friend.\n</rewrite>")).toEqual({
      ok: true,
      text: "Hello, friend.",
    });
    expect(parseRewrite("<rewrite>\n```\ncode\n```\n</rewrite>")).toEqual({
      ok: true,
      text: "```\ncode\n```",
    });
    expect(parseRewrite("Hello, friend.")).toMatchObject({ ok: false, reason: /no <rewrite> tag/ });
    expect(parseRewrite("<rewrite>\nHello, fr", "length")).toMatchObject({
      ok: false,
      reason: /cut off/,
    });
    expect(parseRewrite("<rewrite>\n \n</rewrite>")).toMatchObject({ ok: false, reason: /empty/ });
  });

  it("compare claims with a strict JSON answer", () => {
    expect(claimCheckMessages("a", "b")[1]!.content).toBe(
      "<original>\na\n</original>\n\n<rewrite>\nb\n</rewrite>",
    );
    expect(parseClaimCheck('{"changed_claims": [], "preserved": true}')).toEqual({
      ok: true,
      preserved: true,
      changed: [],
    });
    expect(parseClaimCheck('{"changed_claims": ["x"], "preserved": true}')).toEqual({
      ok: true,
      preserved: false,
      changed: ["x"],
    });
    expect(parseClaimCheck("looks fine")).toMatchObject({ ok: false });
  });
});
