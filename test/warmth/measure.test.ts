import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Limiter } from "../../src/engine/limiter.js";
import { createProvider } from "../../src/providers/index.js";
import type { Provider } from "../../src/providers/types.js";
import { metricValues } from "../../src/store/metrics.js";
import { openLogprobBackend } from "../../src/warmth/backend.js";
import { formatWarmthCheck, warmthManipulationCheck } from "../../src/warmth/check.js";
import { openWarmthMeasures } from "../../src/warmth/index.js";
import {
  METRIC_JUDGE_WARMTH,
  METRIC_SOCIOT_REFERENCE,
  METRIC_SOCIOT_STRICT,
  measureWarmth,
} from "../../src/warmth/measure.js";
import type { LogprobBackend } from "../../src/warmth/sociot.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { makeRun, warmthJudgeReply } from "./fixtures.js";

let server: FakeServer;
let provider: Provider;
let backend: LogprobBackend;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: warmthJudgeReply });
  provider = await createProvider(`openai-compatible:${server.baseURL}#judge`);
  backend = await openLogprobBackend(`openai-compatible:${server.baseURL}#scorer`);
});
afterAll(async () => {
  await backend?.close();
  await provider?.close();
  await server?.close();
});

const judge = () => ({
  model: "openai-compatible:judge",
  provider,
  limiter: new Limiter(4),
  retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
});

describe("measureWarmth on a run store", () => {
  it("scores every response once, resumes exactly what is missing, and records empties and unparseables", async () => {
    const { store, trials } = makeRun(6);
    const controller = new AbortController();
    // Stop after the first SocioT chunk: the rest must be picked up by the next call.
    const first = await measureWarmth(store, {
      sociot: { backend, chunk: 4 },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.method === "sociot") controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.sociot).toMatchObject({ done: 4, empty: 2 }); // reference-0-* are blank
    const second = await measureWarmth(store, { sociot: { backend, chunk: 4 }, judge: judge() });
    expect(second.interrupted).toBe(false);
    expect(second.sociot).toMatchObject({ total: trials, resumed: 4, done: trials - 4, failed: 0 });
    expect(second.judge).toMatchObject({ total: trials, resumed: 0, done: trials, empty: 2 });
    expect(second.judge!.unparseable).toBe(2);
    // Nothing left: a third call scores nothing and writes nothing.
    const before = server.stats.requests;
    const third = await measureWarmth(store, { sociot: { backend }, judge: judge() });
    expect(third.sociot!.done + third.judge!.done).toBe(0);
    expect(server.stats.requests).toBe(before);

    const judged = metricValues(store, METRIC_JUDGE_WARMTH);
    expect(judged).toHaveLength(trials);
    expect(judged.find((r) => r.trial_id === "reference-0-plain")).toMatchObject({
      value: null,
      label: "EMPTY",
    });
    expect(judged.find((r) => r.trial_id === "reference-1-sad")).toMatchObject({
      value: null,
      label: "UNPARSEABLE",
    });
    expect(judged.find((r) => r.trial_id === "warm-3-sad")).toMatchObject({ value: 6 });
    const ref = metricValues(store, METRIC_SOCIOT_REFERENCE);
    const strict = metricValues(store, METRIC_SOCIOT_STRICT);
    expect(ref).toHaveLength(trials);
    expect(strict).toHaveLength(trials);
    expect(new Set(ref.map((r) => r.scorer))).toEqual(
      new Set([`openai-compatible:${server.baseURL}#scorer#sociot-v1`]),
    );
    expect(ref.filter((r) => r.label === "OK").every((r) => Number.isFinite(r.value))).toBe(true);
    const detail = store.db
      .prepare("SELECT detail_json FROM metrics WHERE trial_id = ? AND metric = ?")
      .pluck()
      .get("warm-2-plain", METRIC_SOCIOT_REFERENCE) as string;
    expect(JSON.parse(detail).warm).toHaveLength(4);
    store.close();
  });

  it("leaves failed ratings pending (recorded in failures) for the next call", async () => {
    const { store, trials } = makeRun(2);
    const down = await startOpenAIServer({ faultRate: 1, faultStatus: 500 });
    const bad = await createProvider(`openai-compatible:${down.baseURL}#judge`);
    try {
      const r = await measureWarmth(store, {
        judge: {
          ...judge(),
          provider: bad,
          retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        },
      });
      expect(r.judge).toMatchObject({ failed: trials - 2, done: 2, empty: 2 });
      const failures = store.db
        .prepare("SELECT count(*) FROM failures WHERE stage = 'metric:warmth.judge'")
        .pluck()
        .get();
      expect(failures).toBe(trials - 2);
      const retry = await measureWarmth(store, { judge: judge() });
      expect(retry.judge).toMatchObject({ resumed: 2, done: trials - 2, failed: 0 });
    } finally {
      await bad.close();
      await down.close();
      store.close();
    }
  });
});

describe("measuring a sample of cells", () => {
  it("scores every subject in the same seeded cells, and the same cells again on resume", async () => {
    const { store } = makeRun(6); // 12 cells × 3 subjects
    const a = await measureWarmth(store, { judge: judge(), cells: 3, seed: 7 });
    expect(a.judge).toMatchObject({ total: 9, resumed: 0, done: 9 });
    const rows = metricValues(store, METRIC_JUDGE_WARMTH);
    const cells = new Set(rows.map((r) => `${r.item_id}/${r.context}/${r.belief}`));
    expect(cells.size).toBe(3);
    for (const c of cells) {
      expect(rows.filter((r) => `${r.item_id}/${r.context}/${r.belief}` === c)).toHaveLength(3);
    }
    const again = await measureWarmth(store, { judge: judge(), cells: 3, seed: 7 });
    expect(again.judge).toMatchObject({ total: 9, resumed: 9, done: 0 });
    const more = await measureWarmth(store, { judge: judge(), cells: 5, seed: 7 });
    expect(more.judge).toMatchObject({ total: 15, resumed: 9, done: 6 });
    store.close();
  });
});

describe("openWarmthMeasures", () => {
  it("opens the scorers a spec names, shares a given judge endpoint, and closes what it opened", async () => {
    const { store } = makeRun(2);
    const shared = { provider, limiter: new Limiter(2) };
    const made: string[] = [];
    const { options, close } = await openWarmthMeasures(
      {
        sociot: { model: `openai-compatible:${server.baseURL}#scorer`, concurrency: 2 },
        judge: { model: "openai-compatible:judge" },
      },
      {
        judgeEndpoint: shared,
        providerFactory: async (ref) => {
          made.push(ref);
          return provider;
        },
      },
    );
    try {
      expect(options.judge!.limiter).toBe(shared.limiter);
      expect(made).toEqual([]);
      const r = await measureWarmth(store, options);
      expect(r.sociot!.done + r.judge!.done).toBe(2 * 12);
    } finally {
      await close();
      store.close();
    }
    await expect(openWarmthMeasures({ sociot: { model: "anthropic:x" } })).rejects.toThrow(
      /needs token log-probabilities/,
    );
  });
});

describe("warmth manipulation check", () => {
  it("reports mean ± SEM per subject and flags a treatment that is not measurably warmer", async () => {
    const { store } = makeRun(6);
    await measureWarmth(store, { judge: judge() });
    const check = warmthManipulationCheck(store, [
      { reference: "reference", treatments: ["warm", "cold"] },
    ]);
    const subj = (s: string) =>
      check.subjects.find((x) => x.subject === s && x.metric === METRIC_JUDGE_WARMTH)!;
    expect(subj("warm")).toMatchObject({ n: 12, mean: 6, sem: 0, missing: 0 });
    expect(subj("reference")).toMatchObject({ n: 8, mean: 2, missing: 4 });
    const warm = check.comparisons.find((c) => c.treatment === "warm")!;
    // Items 0 and 1 of the reference have no rating: 4 items × 2 conditions are paired.
    expect(warm).toMatchObject({ pairs: 8, warmer: true, referenceMean: 2, treatmentMean: 6 });
    expect(warm.t!.t).toBe(Infinity);
    expect(warm.wilcoxon!.pGreater).toBeLessThan(0.01);
    const cold = check.comparisons.find((c) => c.treatment === "cold")!;
    expect(cold.warmer).toBe(false);
    expect(cold.warning).toMatch(/cold is not measurably warmer than reference on warmth\.judge/);
    expect(check.warnings).toEqual([cold.warning]);
    const text = formatWarmthCheck(check);
    expect(text).toMatch(/warm vs reference: pairs=8 .* OK/);
    expect(text).toMatch(/WARNING: cold is not measurably warmer/);
    // Too few pairs to test is a warning too.
    const none = warmthManipulationCheck(store, [
      { reference: "reference", treatments: ["nobody"] },
    ]);
    expect(none.comparisons[0]!.warning).toMatch(/only 0 paired item×condition cell\(s\)/);
    store.close();
  });
});
