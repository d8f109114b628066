/**
 * The warm-but-honest pipeline against a local OpenAI-compatible server whose restyle changes
 * the answer on planted items: the fallback is taken exactly there, every step is stored, and
 * an audit interrupted between the plain answer and the rewrite resumes without redoing a call.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fallbackResponse, PIPELINE_TEXTS } from "../../src/design/pipeline.js";
import { runAudit } from "../../src/stages/audit.js";
import { exportPending } from "../../src/stages/cluster-export.js";
import { planCounts } from "../../src/stages/plan-summary.js";
import { prepareAudit } from "../../src/stages/prepare.js";
import { EndpointUnusableError } from "../../src/stages/stop-errors.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { countIn } from "../helpers/run-db.js";
import { Script, writePipelineConfig } from "./scripted.js";

let server: FakeServer;
let script: Script;
let dbFile = "";
beforeAll(async () => {
  script = new Script(() => dbFile);
  server = await startOpenAIServer({ reply: script.reply });
});
afterAll(async () => {
  await server.close();
});

interface StepRow {
  trial_id: string;
  task: string;
  item_id: string;
  plain_text: string;
  restyled_text: string | null;
  check_method: string | null;
  check_result: string | null;
  fallback: number | null;
  created_at: string;
  response: string | null;
}

function steps(db: string): StepRow[] {
  const d = new Database(db, { readonly: true });
  try {
    return d
      .prepare(
        `SELECT p.*, t.task, t.item_id, r.text AS response FROM pipeline_steps p
           JOIN trials t ON t.id = p.trial_id LEFT JOIN responses r ON r.trial_id = p.trial_id
          ORDER BY p.trial_id`,
      )
      .all() as StepRow[];
  } finally {
    d.close();
  }
}

const count = countIn;

describe("pipeline: answer_then_restyle", () => {
  it("keeps a confirmed rewrite, falls back exactly on the planted items, records every step", async () => {
    const { configFile, db } = writePipelineConfig(server.baseURL, "challenge: {}");
    dbFile = db;
    const restylesBefore = script.restyles.length;
    const checksBefore = script.checks;
    const plan = planCounts(await prepareAudit(configFile));
    const result = await runAudit(configFile);
    expect(result.interrupted).toBe(false);
    const rows = steps(db);
    const pipelineTrials = count(db, "SELECT count(*) FROM trials WHERE subject_id = 'pipeline'");
    expect(pipelineTrials).toBe(2 * 4 * 2);
    expect(rows).toHaveLength(pipelineTrials);
    // One rewrite per pipeline trial, one judge check per TruthfulQA trial; `candor plan` said so.
    expect(script.restyles.length - restylesBefore).toBe(pipelineTrials);
    expect(script.checks - checksBefore).toBe(pipelineTrials / 2);
    expect(plan.pipelineCalls).toBe(pipelineTrials + pipelineTrials / 2);
    expect(script.changed.size).toBe(2);
    expect(script.unparseable.size).toBe(1);
    const planted = (r: StepRow) =>
      script.changed.has(`${r.task}/${r.item_id}`) ||
      script.unparseable.has(`${r.task}/${r.item_id}`);
    for (const r of rows) {
      expect(r.check_method).toBe(r.task === "triviaqa" ? "rule" : "judge");
      expect(r.restyled_text).not.toBeNull();
      expect(r.fallback).toBe(planted(r) ? 1 : 0);
      expect(r.check_result).toBe(
        !planted(r)
          ? "confirmed"
          : script.unparseable.has(`${r.task}/${r.item_id}`)
            ? "unparseable"
            : "changed",
      );
      expect(r.response).toBe(
        planted(r) ? fallbackResponse(r.plain_text, PIPELINE_TEXTS.en) : r.restyled_text,
      );
    }
    // "Are you sure?" continues from the final response (rewrite or fallback), not the plain one.
    for (const r of rows) {
      const turn = script.challenges.find((m) => m[1]?.content === r.response);
      expect(turn?.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    }
    const fallbacks = rows.filter((r) => r.fallback === 1).length;
    // Two trials (beliefs) per planted item: two changed items and one unparseable check.
    expect(fallbacks).toBe(3 * 2);
    // The final response goes through the ordinary judge and warmth rating.
    expect(
      count(
        db,
        "SELECT count(*) FROM judgments j JOIN trials t ON t.id = j.trial_id WHERE t.subject_id = 'pipeline' AND j.judge != 'rule#v1'",
      ),
    ).toBe(pipelineTrials);
    expect(
      count(
        db,
        "SELECT count(*) FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.subject_id = 'pipeline'",
      ),
    ).toBe(pipelineTrials);

    // A second run has nothing left to do: not one call.
    const callsBefore = server.stats.byPath["/v1/chat/completions"] ?? 0;
    const again = await runAudit(configFile);
    expect(again.interrupted).toBe(false);
    expect((server.stats.byPath["/v1/chat/completions"] ?? 0) - callsBefore).toBe(0);
    expect(steps(db)).toEqual(rows);
  });

  it("resumes after an interruption between the plain answer and the rewrite, redoing nothing", async () => {
    const { configFile, db } = writePipelineConfig(server.baseURL);
    dbFile = db;
    let release: () => void = () => undefined;
    script.holdRestyles = new Promise<void>((r) => {
      release = r;
    });
    script.restyleWaiting = 0;
    const controller = new AbortController();
    const plainBefore = script.plainCalls;
    const running = runAudit(configFile, { signal: controller.signal });
    // Stop once a rewrite is in flight: some plain answers are stored, no rewrite is.
    while (script.restyleWaiting < 1) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const first = await running;
    release();
    script.holdRestyles = undefined;
    expect(first.interrupted).toBe(true);
    const atStop = steps(db);
    expect(atStop.length).toBeGreaterThan(0);
    expect(atStop.every((r) => r.restyled_text === null && r.check_result === null)).toBe(true);
    expect(atStop.every((r) => r.response === null)).toBe(true);
    const trials = count(db, "SELECT count(*) FROM trials");
    const responsesAtStop = count(db, "SELECT count(*) FROM responses");
    const referenceMissing = count(
      db,
      "SELECT count(*) FROM trials t LEFT JOIN responses r ON r.trial_id = t.id WHERE t.subject_id = 'reference' AND r.trial_id IS NULL",
    );
    expect(script.plainCalls - plainBefore).toBeGreaterThan(0);

    const restylesBefore = script.restyles.length;
    const plainBeforeRerun = script.plainCalls;
    const second = await runAudit(configFile);
    expect(second.interrupted).toBe(false);
    const rows = steps(db);
    const pipelineTrials = 16;
    expect(rows).toHaveLength(pipelineTrials);
    // Every stored plain answer is kept as it was, and the rewrite comes once per trial.
    for (const before of atStop) {
      const after = rows.find((r) => r.trial_id === before.trial_id);
      expect(after?.plain_text).toBe(before.plain_text);
      expect(after?.created_at).toBe(before.created_at);
    }
    expect(script.restyles.length - restylesBefore).toBe(pipelineTrials);
    // Plain calls (no system prompt: reference and the pipeline's first step) only for what was
    // missing: reference trials without a response, pipeline trials without a stored plain answer.
    expect(script.plainCalls - plainBeforeRerun).toBe(
      referenceMissing + (pipelineTrials - atStop.length),
    );
    expect(rows.filter((r) => r.fallback === 1)).toHaveLength(6);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(responsesAtStop).toBeLessThan(trials);
  });

  it("candor batch export leaves pipeline trials to the audit", async () => {
    const { configFile, db } = writePipelineConfig(server.baseURL);
    const out = join(dirname(db), "..", "requests.jsonl");
    const r = await exportPending(configFile, out);
    expect(r.pipeline).toBe(16);
    expect(r.requests).toBe(3 * 16);
    const ids = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
    const pipelineIds = new Set(
      (() => {
        const d = new Database(db, { readonly: true });
        try {
          return d
            .prepare("SELECT id FROM trials WHERE subject_id = 'pipeline'")
            .pluck()
            .all() as string[];
        } finally {
          d.close();
        }
      })(),
    );
    expect(ids).toHaveLength(48);
    expect(ids.filter((id) => pipelineIds.has(id))).toEqual([]);
  });

  it("the preflight checks a restyle_model of its own; candor plan counts its probe", async () => {
    const gone = await startOpenAIServer();
    await gone.close();
    const dead = `openai-compatible:${gone.baseURL}#restyler`;
    const { configFile, db } = writePipelineConfig(server.baseURL);
    const text = readFileSync(configFile, "utf8").replace(
      "pipeline: answer_then_restyle",
      `pipeline: { kind: answer_then_restyle, restyle_model: "${dead}" }`,
    );
    writeFileSync(configFile, text);
    expect(planCounts(await prepareAudit(configFile)).preflightCalls).toBe(3);
    const failed = await runAudit(configFile).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(EndpointUnusableError);
    expect((failed as Error).message).toContain(`FAILED   restyle of pipeline: ${dead}`);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(0);
  });

  it("resumes after an interruption between the rewrite and the judge's check, rewriting nothing again", async () => {
    const { configFile, db } = writePipelineConfig(server.baseURL);
    dbFile = db;
    let release: () => void = () => undefined;
    script.holdChecks = new Promise<void>((r) => {
      release = r;
    });
    script.checkWaiting = 0;
    const controller = new AbortController();
    const running = runAudit(configFile, { signal: controller.signal });
    while (script.checkWaiting < 1) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect((await running).interrupted).toBe(true);
    release();
    script.holdChecks = undefined;
    const atStop = steps(db);
    const rewritten = atStop.filter((r) => r.restyled_text !== null);
    // At least the held TruthfulQA trial has its rewrite stored and no check.
    expect(rewritten.some((r) => r.task === "truthfulqa" && r.check_result === null)).toBe(true);

    const restylesBefore = script.restyles.length;
    expect((await runAudit(configFile)).interrupted).toBe(false);
    const rows = steps(db);
    expect(rows).toHaveLength(16);
    for (const before of rewritten) {
      const after = rows.find((r) => r.trial_id === before.trial_id);
      expect(after?.restyled_text).toBe(before.restyled_text);
    }
    expect(script.restyles.length - restylesBefore).toBe(16 - rewritten.length);
    expect(rows.filter((r) => r.fallback === 1)).toHaveLength(6);
  });
});
