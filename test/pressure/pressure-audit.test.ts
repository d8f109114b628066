import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAudit, RUN_DB, runAudit } from "../../src/stages/audit.js";
import { formatPlan, planCounts } from "../../src/stages/plan-summary.js";
import { RunStore } from "../../src/store/run-store.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { plantedModel, plantSchedules, triviaAnswers, writePressureConfig } from "./planted.js";

const model = plantedModel(triviaAnswers());
let server: FakeServer;
/** Set by a test: requests it returns a status for fail at the server. */
let refuse: ((req: FakeChatRequest) => { status: number; message: string } | undefined) | undefined;
beforeAll(async () => {
  server = await startOpenAIServer({
    reply: (req) => model.reply(req),
    reject: (req) => refuse?.(req),
  });
});
afterAll(async () => {
  await server.close();
});

const plant = (configFile: string) => plantSchedules(model, configFile);

describe("pressure over turns", () => {
  it("judges every turn and finds the planted flips: survival, Turn-of-Flip, Number-of-Flip", async () => {
    const { configFile } = writePressureConfig(server.baseURL);
    await plant(configFile);
    const result = await runAudit(configFile);
    const p = result.summary.pressure!;
    expect(p.turns).toBe(5);
    const warm = p.cells.find((c) => c.subject === "warm")!;
    expect(warm).toMatchObject({
      task: "triviaqa",
      context: "unmodified",
      trials: 3,
      scored: 3,
      initiallyCorrect: 3,
      flipped: 2,
      turnOfFlip: 1.5,
      regressive: 2,
      progressive: 1,
      numberOfFlips: 1,
    });
    expect(warm.neverFlipped).toBeCloseTo(1 / 3, 12);
    expect(warm.survival).toEqual([1, 2 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
    const reference = p.cells.find((c) => c.subject === "reference")!;
    expect(reference).toMatchObject({
      flipped: 0,
      turnOfFlip: null,
      neverFlipped: 1,
      numberOfFlips: 0,
    });
    expect(reference.survival).toEqual([1, 1, 1, 1, 1, 1]);
    // Paired on the same items: warm flipped on A and C, the reference on none.
    expect(p.tests).toHaveLength(1);
    expect(p.tests[0]).toMatchObject({
      treatment: "warm",
      reference: "reference",
      task: "triviaqa",
      measure: "flipped by turn 5",
      pairs: 3,
      b: 2,
      c: 0,
      mcnemarP: 0.5,
    });
    // One call per trial and turn: 2 subjects × 3 items × (first answer + 5 turns).
    expect(model.calls).toHaveLength(2 * 3 * 6);
    // candor plan counted exactly the pressure calls the audit made (the rule judge makes none).
    const plan = planCounts(await prepareAudit(configFile));
    expect(plan.pressureCalls).toBe(model.calls.filter((c) => c.turn >= 1).length);
    expect(plan.pressureJudgeCalls).toBe(0);
    const keys = new Set(model.calls.map((c) => `${c.warm}|${c.question}|${c.turn}`));
    expect(keys.size).toBe(model.calls.length);
  });

  it("resumes per turn: stopped while turn 4 of a trial was asked, the re-run starts there and repeats nothing", async () => {
    model.calls.length = 0;
    // One call at a time, so the held call is the only one in flight when the run stops.
    const { dir, configFile } = writePressureConfig(
      server.baseURL,
      "providers: { openai-compatible: { concurrency: 1 } }",
    );
    await plant(configFile);
    const a = [...model.schedule].find(([, s]) => s === "A")![0];
    const stop = new AbortController();
    let release: ((text: string) => void) | undefined;
    model.hold = (call) => {
      if (!(call.warm && call.question === a && call.turn === 4)) return undefined;
      stop.abort();
      return new Promise((resolve) => {
        release = resolve;
      });
    };
    const first = await runAudit(configFile, { signal: stop.signal });
    model.hold = undefined;
    release?.("too late");
    expect(first.interrupted).toBe(true);
    const store = RunStore.open(join(dir, "run", RUN_DB), { readonly: true });
    const stored = store.db
      .prepare(
        `SELECT max(p.turn) FROM pressure_turns p JOIN trials t ON t.id = p.trial_id
         JOIN items i ON i.task = t.task AND i.id = t.item_id
         WHERE t.subject_id = 'warm' AND i.question = ?`,
      )
      .pluck()
      .get(a);
    store.close();
    expect(stored).toBe(3);

    const second = await runAudit(configFile);
    expect(second.interrupted).toBe(false);
    // Every (trial, turn) answered exactly once over both runs.
    const counts = new Map<string, number>();
    for (const c of model.calls) {
      const key = `${c.warm}|${c.question}|${c.turn}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(2 * 3 * 6);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const warm = second.summary.pressure!.cells.find((c) => c.subject === "warm")!;
    expect(warm).toMatchObject({ scored: 3, turnOfFlip: 1.5, numberOfFlips: 1 });
  });

  it("candor plan counts the pressure turns and, with a model judge, their judge calls", async () => {
    const { configFile } = writePressureConfig(
      server.baseURL,
      "pressure: { turns: 3, tasks: [triviaqa] }",
    );
    const text = readFileSync(configFile, "utf8")
      .replace("pressure: { turns: 5 }\n", "")
      .replace(
        "judge: { model: rule }",
        `judge: { model: "openai-compatible:${server.baseURL}#judge" }`,
      );
    writeFileSync(configFile, text);
    const plan = planCounts(await prepareAudit(configFile));
    expect(plan.pressureCalls).toBe(2 * 3 * 3);
    expect(plan.pressureJudgeCalls).toBe(2 * 3 * 3);
    expect(plan.totalCalls).toBe(2 * plan.trials + 2 * 18 + plan.preflightCalls);
    expect(formatPlan(await prepareAudit(configFile), false)).toContain(
      "pressure over turns: 18 subject calls and 18 judge calls on their answers (in the total above)",
    );
  });

  it("a turn that fails after every retry is recorded, leaves the rest of its trial for later, and the re-run asks exactly it", async () => {
    model.calls.length = 0;
    const { dir, configFile } = writePressureConfig(server.baseURL);
    await plant(configFile);
    const c = [...model.schedule].find(([, s]) => s === "C")![0];
    refuse = (req) => {
      const first = req.messages.find((m) => m.role === "user")?.content ?? "";
      const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      return warm && first.includes(c) && turn === 2
        ? { status: 500, message: "planted outage" }
        : undefined;
    };
    const first = await runAudit(configFile);
    refuse = undefined;
    const warmFirst = first.summary.pressure!.cells.find((x) => x.subject === "warm")!;
    expect(warmFirst).toMatchObject({ trials: 3, scored: 2 });
    const store = RunStore.open(join(dir, "run", RUN_DB), { readonly: true });
    const failures = store.db
      .prepare("SELECT stage, message FROM failures WHERE stage LIKE 'pressure%'")
      .all() as { stage: string; message: string }[];
    store.close();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.stage).toBe("pressure");
    expect(failures[0]!.message).toContain("planted outage");

    const second = await runAudit(configFile);
    const counts = new Map<string, number>();
    for (const x of model.calls) {
      const key = `${x.warm}|${x.question}|${x.turn}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(2 * 3 * 6);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const warm = second.summary.pressure!.cells.find((x) => x.subject === "warm")!;
    expect(warm).toMatchObject({ scored: 3, turnOfFlip: 1.5, numberOfFlips: 1 });
  });
});
