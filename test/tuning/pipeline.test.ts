import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import type { Manifest } from "../../src/tuning/export.js";
import { buildTuneData, newTuneProgress } from "../../src/tuning/pipeline.js";
import { readConversationsFile } from "../../src/tuning/read.js";
import { turnKey } from "../../src/tuning/store.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import {
  DUMMY,
  type ScriptOptions,
  scriptedRewriter,
  writeTechnicalConversations,
} from "./fixtures.js";

let server: FakeServer;
let script: ScriptOptions = {};
beforeAll(async () => {
  server = await startOpenAIServer({ reply: (req) => scriptedRewriter(script)(req) });
});
afterAll(async () => {
  await server.close();
});

const ref = (name: string) => `openai-compatible:${server.baseURL}#${name}`;
const fast = { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, concurrency: 8 };

function readJsonl(file: string): { messages: { role: string; content: string }[] }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

describe("candor tune data on the dummy conversations", () => {
  it("labels, samples evenly, rewrites warm and cold, checks, exports; a re-run calls nothing", async () => {
    script = {};
    const out = tempDir("candor-tune-out-");
    const before = server.stats.requests;
    const progress = newTuneProgress();
    const sixty = {
      source: { path: DUMMY },
      out,
      n: 60,
      seed: 3,
      rewriteModel: ref("rewriter"),
      checkModel: ref("checker"),
      ...fast,
    };
    const result = await buildTuneData({ ...sixty, reviewCount: 10, progress });
    const p = result.prepared;
    expect(p.records).toBe(500);
    expect(p.eligible).toBe(500);
    expect(p.selected).toBe(60);
    // 12 undecided conversations default to "other"; 20 per type for the three present types.
    expect(p.types.factual).toEqual({ eligible: 281, selected: 20 });
    expect(p.types.technical).toEqual({ eligible: 40, selected: 20 });
    expect(p.types.other).toEqual({ eligible: 179, selected: 20 });
    expect(p.labelSources.default).toBeGreaterThan(0);
    const turns = p.assistantTurns;
    // One rewrite per distinct assistant turn (conversation prefix) and style, one claim
    // check per rewrite. Many dummy conversations open with the same exchange.
    const distinct = new Set(
      (await readConversationsFile(DUMMY)).conversations.flatMap((c) =>
        c.turns.flatMap((t, i) => (t.role === "assistant" ? [turnKey(c.turns, i)] : [])),
      ),
    ).size;
    expect(progress.rewrite.total).toBeLessThan(turns * 2);
    expect(progress.rewrite.total).toBeLessThanOrEqual(distinct * 2);
    expect(progress.rewrite).toMatchObject({ done: progress.rewrite.total, failed: 0, resumed: 0 });
    expect(progress.check).toMatchObject({
      total: progress.rewrite.total,
      done: progress.rewrite.total,
    });
    expect(server.stats.requests - before).toBe(progress.rewrite.total * 2);
    expect(result.failed).toBe(0);

    for (const style of ["warm", "cold"] as const) {
      const dir = join(out, style);
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
      const train = readJsonl(join(dir, "train.jsonl"));
      const validation = readJsonl(join(dir, "validation.jsonl"));
      expect(train.length + validation.length).toBe(60);
      expect(manifest.files.train.examples).toBe(train.length);
      expect(manifest.files.validation.examples).toBe(validation.length);
      expect(validation.length).toBe(6);
      expect(manifest.files.train.sha256).toBe(
        createHash("sha256")
          .update(readFileSync(join(dir, "train.jsonl")))
          .digest("hex"),
      );
      expect(manifest.types.factual.train + manifest.types.factual.validation).toBe(20);
      expect(manifest.tokens.maxExample).toBeGreaterThan(0);
      expect(manifest.checkers).toEqual(["rules-v1", `${ref("checker")}#claims-v1`]);
      expect(manifest.provenance).toMatchObject({
        source: { kind: "local", files: [{ path: DUMMY }] },
        selection: { seed: 3, n: 60, maxTurns: 20, dedup: true },
      });
      const all = [...train, ...validation];
      const assistants = all.flatMap((e) => e.messages.filter((m) => m.role === "assistant"));
      expect(assistants).toHaveLength(turns);
      if (style === "warm")
        expect(assistants.every((m) => m.content.startsWith("Oh, I totally get it"))).toBe(true);
      else expect(assistants.some((m) => m.content.startsWith("Oh"))).toBe(false);
      // User turns are the originals.
      const { conversations } = await readConversationsFile(DUMMY);
      const userTexts = new Set(
        conversations.flatMap((c) =>
          c.turns.filter((t) => t.role === "user").map((t) => t.content),
        ),
      );
      expect(
        all.every((e) =>
          e.messages.filter((m) => m.role === "user").every((m) => userTexts.has(m.content)),
        ),
      ).toBe(true);
      const review = readJsonl(join(dir, "review.jsonl")) as unknown as {
        original: string;
        rewrite: string;
        human_ok: null;
      }[];
      expect(review).toHaveLength(10);
      expect(review[0]!.human_ok).toBeNull();
      expect(readFileSync(join(dir, "review.md"), "utf8")).toMatch(
        /# Review sample: .* rewrites\n\n10 of \d+ rewritten turns/,
      );
    }

    const again = server.stats.requests;
    const second = await buildTuneData({ ...sixty, reviewCount: 10 });
    expect(server.stats.requests).toBe(again);
    expect(second.exports.warm!.files.train.sha256).toBe(result.exports.warm!.files.train.sha256);

    // A larger sample reuses every rewrite already made.
    const third = await buildTuneData({ ...sixty, n: 75, styles: ["warm"] });
    const extraTurns = third.prepared.assistantTurns - turns;
    expect(server.stats.requests - again).toBeLessThanOrEqual(extraTurns * 2 + 20);
    expect(server.stats.requests - again).toBeGreaterThan(0);
  });

  it("labels undecided conversations with an LLM when asked", async () => {
    script = { label: "advice" };
    const out = tempDir("candor-tune-out-");
    const before = server.stats.requests;
    const dryRun = {
      source: { path: DUMMY },
      out,
      labelModel: ref("labeller"),
      dryRun: true,
      ...fast,
    };
    const result = await buildTuneData(dryRun);
    expect(server.stats.requests - before).toBe(12);
    expect(result.prepared.types.advice).toEqual({ eligible: 12, selected: 12 });
    expect(result.prepared.labelSources[`llm:${ref("labeller")}#label-v1`]).toBe(12);
    expect(result.exports).toEqual({});
    // Labels are stored: a second dry run asks nothing.
    await buildTuneData(dryRun);
    expect(server.stats.requests - before).toBe(12);
  });
});

describe("preservation checks in the pipeline", () => {
  it("flags rewrites that alter a number or a code block and leaves them out of the export", async () => {
    script = { breakNumber: "NUMBER-MARK", breakCode: "CODE-MARK" };
    const out = tempDir("candor-tune-out-");
    const warmOnly = {
      source: { path: writeTechnicalConversations() },
      out,
      styles: ["warm" as const],
      rewriteModel: ref("rewriter"),
      validationFraction: 0,
      ...fast,
    };
    const result = await buildTuneData(warmOnly);
    expect(result.prepared.selected).toBe(6);
    expect(result.prepared.types).toMatchObject({
      technical: { selected: 2 },
      factual: { selected: 1 },
      creative: { selected: 1 },
      refusal: { selected: 1 },
      other: { selected: 1 },
    });
    const m = result.exports.warm!;
    expect(m.files.train.examples).toBe(4);
    expect(m.excluded.flagged).toBe(2);
    expect(m.excluded.conversations.map((c) => c.reason).sort()).toEqual([
      expect.stringMatching(/turn 1: rules-v1 flagged code-block missing/),
      expect.stringMatching(/turn 2: rules-v1 flagged number missing "100"; number added "101"/),
    ]);
    const train = readJsonl(join(out, "warm/train.jsonl"));
    const texts = train.flatMap((e) => e.messages.map((m) => m.content)).join("\n");
    expect(texts).toContain("```python\nitems = [1, 2, 3]\nprint(items[::-1])\n```");
    expect(texts).not.toContain("NUMBER-MARK");
    const review = readFileSync(join(out, "warm/review.md"), "utf8");
    expect(review).toContain("rules-v1: FLAGGED — number missing: 100; number added: 101");

    // Keep them when asked; nothing is rewritten again.
    const before = server.stats.requests;
    const kept = await buildTuneData({
      ...warmOnly,
      source: { path: writeTechnicalConversations() },
      includeFlagged: true,
    });
    expect(server.stats.requests).toBe(before);
    expect(kept.exports.warm!.files.train.examples).toBe(6);
    const all = readFileSync(join(out, "warm/train.jsonl"), "utf8");
    expect(all).toContain("$E_k = \\\\frac{1}{2} m v^2$");
    expect(all).toContain("https://en.wikipedia.org/wiki/Kinetic_energy");
  });

  it("records unusable rewrites as failures and retries exactly those on the next run", async () => {
    script = { noTags: "boils" };
    const out = tempDir("candor-tune-out-");
    const options = {
      source: { path: writeTechnicalConversations() },
      out,
      styles: ["cold" as const],
      rewriteModel: ref("rewriter"),
      ...fast,
    };
    const first = await buildTuneData(options);
    expect(first.failed).toBe(1);
    expect(first.exports.cold!.excluded.missingRewrite).toBe(1);
    const db = new Database(join(out, "tune.sqlite"), { readonly: true });
    expect(db.prepare("SELECT stage, message FROM failures").all()).toEqual([
      {
        stage: "rewrite",
        message: expect.stringMatching(/no <rewrite> tag \(conversation conv-\w+, turn 2\)/),
      },
    ]);
    db.close();
    script = {};
    const before = server.stats.requests;
    const second = await buildTuneData(options);
    expect(server.stats.requests - before).toBe(1);
    expect(second.failed).toBe(0);
    expect(second.exports.cold!.excluded.missingRewrite).toBe(0);
  });

  it("stops on Ctrl+C keeping finished rewrites, and resumes from there", async () => {
    const slow = await startOpenAIServer({ reply: scriptedRewriter(), latencyMs: 5 });
    try {
      const out = tempDir("candor-tune-out-");
      const controller = new AbortController();
      const progress = newTuneProgress();
      const options = {
        source: { path: DUMMY },
        out,
        n: 60,
        styles: ["warm" as const],
        rewriteModel: `openai-compatible:${slow.baseURL}#rewriter`,
        ...fast,
        concurrency: 4,
      };
      const timer = setInterval(() => {
        if (progress.rewrite.done >= 10) controller.abort();
      }, 2);
      const first = await buildTuneData({ ...options, signal: controller.signal, progress });
      clearInterval(timer);
      expect(first.interrupted).toBe(true);
      expect(first.exports).toEqual({});
      const saved = progress.rewrite.done;
      expect(saved).toBeGreaterThanOrEqual(10);
      expect(saved).toBeLessThan(progress.rewrite.total);
      const resumed = newTuneProgress();
      const second = await buildTuneData({ ...options, progress: resumed });
      expect(second.interrupted).toBe(false);
      expect(resumed.rewrite.resumed).toBe(saved);
      expect(resumed.rewrite.done).toBe(resumed.rewrite.total);
      expect(
        second.exports.warm!.files.train.examples + second.exports.warm!.files.validation.examples,
      ).toBe(60);
    } finally {
      await slow.close();
    }
  });

  it("stops at once when every call would fail the same way (bad key)", async () => {
    const locked = await startOpenAIServer({
      apiKey: "sk-right-123456",
      reply: scriptedRewriter(),
    });
    try {
      const out = tempDir("candor-tune-out-");
      const err = await buildTuneData({
        source: { path: DUMMY },
        out,
        n: 40,
        rewriteModel: `openai-compatible:${locked.baseURL}#rewriter`,
        ...fast,
        concurrency: 2,
      }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /HTTP 401 authentication failed[\s\S]*Stopped: every further call would fail the same way/,
      );
      // A handful of in-flight calls at most, not one per turn.
      expect(locked.stats.requests).toBeLessThanOrEqual(4);
      const db = new Database(join(out, "tune.sqlite"), { readonly: true });
      expect(db.prepare("SELECT count(*) FROM failures").pluck().get()).toBe(0);
      db.close();
    } finally {
      await locked.close();
    }
  });

  it("stops with a clear error on a malformed conversation", async () => {
    const file = join(tempDir(), "broken.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      file,
      JSON.stringify([
        { id: "x", conversations: [{ from: "human", value: "q" }, { speaker: "gpt" }] },
      ]),
    );
    const err = await buildTuneData({
      source: { path: file },
      out: tempDir(),
      rewriteModel: ref("rewriter"),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(
      /broken\.json \(element \[0\], conversations\[1\]\): found nothing for "role"; expected the speaker/,
    );
  });
});
