import { createHash } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISTRACTOR_SYSTEM } from "../../src/analysis/wrong-beliefs.js";
import { loadItems } from "../../src/data/index.js";
import { collectReport } from "../../src/report/collect.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { sharedData } from "../helpers/paths.js";

/**
 * The distractor model answers, for each item: first the right answer (the rule check must
 * turn it down), then "Judged Right" (the judge says it is correct), then a wrong answer
 * derived from the question. `onDistractor` lets a test interrupt the stage part-way.
 */
let onDistractor: (() => void) | undefined;
let distractorCalls = 0;
function reply(req: FakeChatRequest): string {
  const last = req.messages.at(-1)?.content ?? "";
  if (req.messages[0]?.content === DISTRACTOR_SYSTEM) {
    distractorCalls++;
    onDistractor?.();
    const rejected = /Do not use any of these: (.*)\.$/m.exec(last)?.[1]?.split("; ") ?? [];
    const right = /^Correct answer: ([^;\n]*)/m.exec(last)![1]!;
    if (rejected.length === 0) return `${right}.`;
    if (rejected.length === 1) return "Judged Right";
    const question = /^Question: (.*)$/m.exec(last)![1]!;
    return `Answer: Wrong ${createHash("sha256").update(question).digest("hex").slice(0, 6)}`;
  }
  if (req.response_format && /<response>\nJudged Right\n<\/response>/.test(last)) {
    return JSON.stringify({ rationale: "matches the reference", verdict: "CORRECT" });
  }
  if (req.response_format && /<response>\nWrong [0-9a-f]{6}\n<\/response>/.test(last)) {
    return JSON.stringify({ rationale: "not the reference", verdict: "INCORRECT" });
  }
  return scriptedReply(req);
}

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply });
});
afterAll(async () => {
  await server.close();
});

const query = <T>(dir: string, sql: string): T[] => {
  const db = new Database(join(dir, "run", RUN_DB), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};

const distractorConfig = (attempts?: number) =>
  `distractors: { model: "openai-compatible:${server.baseURL}#fake-writer"${attempts ? `, attempts: ${attempts}` : ""} }`;

describe("candor plan before any model is asked", () => {
  it("prints question / wrong-belief pairs, how they were made, and a warning when n exceeds the data", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, { n: 5000, extra: distractorConfig() });
    const requests = server.stats.requests;
    const out = await runCli(["plan", configFile]);
    expect(out.code).toBe(0);
    expect(server.stats.requests).toBe(requests);
    expect(out.stdout).toContain(
      "triviaqa: 1000 another item's answer of the same type (offline fallback)",
    );
    expect(out.stdout).toContain(
      `(the audit first asks openai-compatible:${server.baseURL}#fake-writer for the offline ones, checked wrong by the judge)`,
    );
    expect(
      out.stdout.match(/^ {2}triviaqa {4}.+\n {16}→ I think the answer is .+\. \(offline\)$/gm),
    ).toHaveLength(5);
    expect(out.stdout).toContain(
      "warning: triviaqa: n = 5000 but the dataset has only 1000 items; all 1000 are used",
    );
  });
});

describe("distractors: model-written wrong beliefs", () => {
  it("stores one checked wrong answer per TriviaQA item, uses it for every subject, and never asks twice", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, {
      n: 4,
      extra: distractorConfig(),
    });
    distractorCalls = 0;
    await runAudit(configFile);
    // Three answers per item: the right one (rule), one the judge finds right, the wrong one.
    expect(distractorCalls).toBe(4 * 3);
    const rows = query<{
      task: string;
      item_id: string;
      text: string;
      source: string;
      attempts: number;
      rejected_json: string;
    }>(dir, "SELECT * FROM distractors ORDER BY item_id");
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).toMatchObject({ task: "triviaqa", source: "model", attempts: 3 });
      expect(row.text).toMatch(/^Wrong [0-9a-f]{6}$/);
      const rejected = JSON.parse(row.rejected_json) as { reason: string }[];
      expect(rejected.map((r) => r.reason)).toEqual([
        "equals a correct answer",
        "the judge found it correct: matches the reference",
      ]);
    }
    // The incorrect-belief prompt carries the stored answer, identical for both subjects.
    const prompts = query<{ item_id: string; subject_id: string; messages_json: string }>(
      dir,
      "SELECT item_id, subject_id, messages_json FROM trials WHERE task = 'triviaqa' AND belief = 'incorrect' AND context = 'unmodified'",
    );
    expect(prompts).toHaveLength(4 * 2);
    for (const p of prompts) {
      const user = (JSON.parse(p.messages_json) as { role: string; content: string }[]).at(-1)!;
      const stored = rows.find((r) => r.item_id === p.item_id)!;
      expect(user.content.endsWith(`I think the answer is ${stored.text}.`)).toBe(true);
    }
    // TruthfulQA has its own wrong answers: nothing written for it.
    expect(rows.every((r) => r.task === "triviaqa")).toBe(true);
    const meta = query<{ value: string }>(
      dir,
      "SELECT value FROM meta WHERE key = 'wrong_beliefs'",
    );
    expect(JSON.parse(meta[0]!.value)).toEqual({
      triviaqa: { model: 4 },
      truthfulqa: { dataset: 4 },
    });

    // The report says how the beliefs were made, in the plan's words.
    const report = collectReport(join(dir, "run"));
    expect(report.run.wrongBeliefs).toEqual([
      "triviaqa: 4 written by a model, checked wrong by the judge",
      "truthfulqa: 4 the dataset's own wrong answer",
    ]);
    // (Markdown escapes punctuation in model- and data-derived text.)
    expect(renderMarkdown(report).replace(/\\(.)/g, "$1")).toContain(
      "Wrong beliefs: triviaqa: 4 written by a model, checked wrong by the judge · truthfulqa: 4 the dataset's own wrong answer",
    );

    // candor plan shows the stored beliefs as the audit uses them, and calls nothing.
    const requests = server.stats.requests;
    const plan = await runCli(["plan", configFile]);
    expect(plan.code).toBe(0);
    expect(server.stats.requests).toBe(requests);
    expect(plan.stdout).toContain("triviaqa: 4 written by a model, checked wrong by the judge");
    expect(plan.stdout).toMatch(/→ I think the answer is Wrong [0-9a-f]{6}\. \(model\)/);

    const trialsBefore = query<{ n: number }>(dir, "SELECT count(*) AS n FROM trials")[0]!.n;
    distractorCalls = 0;
    await runAudit(configFile);
    expect(distractorCalls).toBe(0);
    expect(query<{ n: number }>(dir, "SELECT count(*) AS n FROM trials")[0]!.n).toBe(trialsBefore);
  });

  it("keeps the offline distractor when every answer is rejected", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, {
      n: 3,
      extra: distractorConfig(2),
    });
    distractorCalls = 0;
    await runAudit(configFile);
    expect(distractorCalls).toBe(3 * 2);
    const offline = await loadItems(
      { task: "triviaqa", path: join(sharedData, "triviaqa/test.jsonl"), n: 3 },
      { seed: 7, baseDir: dir },
    );
    const rows = query<{ item_id: string; text: string; source: string }>(
      dir,
      "SELECT item_id, text, source FROM distractors",
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const item = offline.find((i) => i.id === row.item_id)!;
      expect(row).toMatchObject({ source: "fallback", text: item.incorrect[0] });
    }
    const prompt = query<{ item_id: string; messages_json: string }>(
      dir,
      "SELECT item_id, messages_json FROM trials WHERE task = 'triviaqa' AND belief = 'incorrect' LIMIT 1",
    )[0]!;
    const item = offline.find((i) => i.id === prompt.item_id)!;
    expect(prompt.messages_json).toContain(`I think the answer is ${item.incorrect[0]}.`);
  });

  it("resumes after an interruption: only the missing items are asked, and the plan waits for them", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, {
      n: 6,
      // One item at a time, so the interruption falls between items and inside one.
      extra: `distractors: { model: "openai-compatible:${server.baseURL}#fake-writer", concurrency: 1 }`,
    });
    const controller = new AbortController();
    distractorCalls = 0;
    // Stop on the 8th call: two items have their answer (3 calls each), the third is half done.
    onDistractor = () => {
      if (distractorCalls >= 8) controller.abort();
    };
    await expect(runAudit(configFile, { signal: controller.signal })).rejects.toThrow();
    onDistractor = undefined;
    const stored = query<{ n: number }>(dir, "SELECT count(*) AS n FROM distractors")[0]!.n;
    expect(stored).toBe(2);
    // Nothing was planned with a belief that was not there yet.
    expect(query<{ n: number }>(dir, "SELECT count(*) AS n FROM trials")[0]!.n).toBe(0);

    distractorCalls = 0;
    await runAudit(configFile);
    expect(distractorCalls).toBe((6 - stored) * 3);
    expect(
      query<{ n: number }>(dir, "SELECT count(*) AS n FROM distractors WHERE source = 'model'")[0]!
        .n,
    ).toBe(6);
  });
});
