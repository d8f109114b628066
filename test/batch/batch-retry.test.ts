import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchProvider } from "../../src/batch/batch-provider.js";
import { BatchStore } from "../../src/batch/batch-store.js";
import { newBatchCounters } from "../../src/batch/counters.js";
import { OpenAIBatchBackend } from "../../src/batch/openai-batch.js";
import { batchSettings } from "../../src/config/batch.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { RunStore } from "../../src/store/run-store.js";
import { scriptedReply } from "../helpers/audit-fixtures.js";
import { writeBatchConfig } from "../helpers/batch-config.js";
import { count, useBatchServer } from "../helpers/batch-test.js";
import { tempDir } from "../helpers/paths.js";

const servers = useBatchServer();

/** A stable pseudo-random pick of custom ids, whatever their format. */
const every = (k: number) => (id: string) =>
  Number.parseInt(createHash("sha256").update(id).digest("hex").slice(0, 6), 16) % k === 0;

describe("batch retries", () => {
  for (const provider of ["openai", "anthropic"] as const) {
    it(`${provider}: per-request errors and an expired batch are retried in new batches; a 400 is recorded`, async () => {
      const transient = every(4);
      const permanent = every(37);
      const server = await servers.start({
        reply: scriptedReply,
        expireBatches: [1],
        failRequest: (id, attempt) =>
          permanent(id) ? 400 : transient(id) && attempt === 1 ? 500 : undefined,
      });
      const { configFile, dir } = writeBatchConfig(server, provider);
      const batchProgress = newBatchCounters();
      await runAudit(configFile, { batchProgress });
      const db = join(dir, "run", RUN_DB);
      const trials = count(db, "SELECT count(*) FROM trials");
      const failed = count(db, "SELECT count(*) FROM failures");
      const dead = count(
        db,
        "SELECT count(DISTINCT custom_id) FROM batch_requests WHERE state = 'error' AND result LIKE '%fake failure 400%'",
      );
      expect(batchProgress.errors).toBeGreaterThan(0);
      // Only the requests that fail for good are missing; each is recorded as a failure.
      expect(failed).toBe(dead);
      expect(
        count(db, "SELECT count(*) FROM responses") +
          count(db, "SELECT count(*) FROM failures WHERE stage = 'generate'"),
      ).toBe(trials);
      expect(count(db, "SELECT count(*) FROM responses")).toBeGreaterThan(trials / 2);
      // The expired first batch and the 500s went out again, in later batches.
      const subject = provider === "openai" ? "gpt-fake" : "claude-fake";
      expect(server.stats.linesByModel[subject]).toBeGreaterThan(trials);
      expect(dead).toBeGreaterThan(0);
      const expired =
        provider === "openai"
          ? "SELECT count(*) FROM batch_jobs WHERE state = 'expired'"
          : "SELECT count(*) FROM batch_requests WHERE result = 'request expired'";
      expect(count(db, expired)).toBeGreaterThan(0);
      // A response is stored once per trial, whatever was retried.
      expect(
        count(db, "SELECT max(n) FROM (SELECT count(*) n FROM responses GROUP BY trial_id)"),
      ).toBe(1);
    });
  }

  it("retry: live sends the failed requests as ordinary calls", async () => {
    const server = await servers.start({
      reply: scriptedReply,
      serveLive: true,
      failRequest: (id) => (every(3)(id) ? 503 : undefined),
    });
    const { configFile, dir } = writeBatchConfig(server, "openai", {
      batch: "{ poll_seconds: 0.01, collect_ms: 20, retry: live }",
    });
    await runAudit(configFile);
    const db = join(dir, "run", RUN_DB);
    const trials = count(db, "SELECT count(*) FROM trials");
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM failures")).toBe(0);
    expect(server.stats.byPath["POST /v1/chat/completions"]).toBeGreaterThan(0);
  });

  it("splits within the request and byte limits", async () => {
    const server = await servers.start({ reply: scriptedReply });
    const dir = tempDir("candor-split-");
    const store = RunStore.open(join(dir, RUN_DB));
    try {
      const real = new OpenAIBatchBackend(
        { scheme: "openai", model: "gpt-fake", ref: "openai:gpt-fake" },
        { apiKeyEnv: "CANDOR_TEST_BATCH_KEY", baseURL: server.baseURL },
      );
      const maxBytes = 4_000;
      // The real backend with a small byte limit, so splitting by size is visible.
      const backend = Object.assign(Object.create(real) as OpenAIBatchBackend, {
        limits: { maxRequests: 50_000, maxBytes },
      });
      const provider = new BatchProvider(
        "openai:gpt-fake",
        backend,
        new BatchStore(store),
        batchSettings({ max_requests: 7, poll_seconds: 0.01, collect_ms: 10 })!,
        newBatchCounters(),
      );
      const asks = Array.from({ length: 40 }, (_, i) =>
        provider.generate({
          messages: [
            { role: "user", content: `question ${i} ${"x".repeat(i % 5 === 0 ? 900 : 10)}` },
          ],
          params: { temperature: 0 },
        }),
      );
      const results = await Promise.all(asks);
      await provider.close();
      expect(results.map((r) => r.text)).toEqual(
        Array.from({ length: 40 }, (_, i) =>
          scriptedReply({
            model: "gpt-fake",
            messages: [
              { role: "user", content: `question ${i} ${"x".repeat(i % 5 === 0 ? 900 : 10)}` },
            ],
            raw: {},
          }),
        ),
      );
      expect(server.stats.batchSizes.reduce((a, b) => a + b, 0)).toBe(40);
      expect(Math.max(...server.stats.batchSizes)).toBeLessThanOrEqual(7);
      expect(Math.max(...server.stats.batchBytes)).toBeLessThanOrEqual(maxBytes);
      expect(server.stats.batches).toBeGreaterThanOrEqual(Math.ceil(40 / 7));
    } finally {
      store.close();
    }
  });

  it("an audit's rounds split within max_requests, every request sent once", async () => {
    const server = await servers.start({ reply: scriptedReply });
    const { configFile, dir } = writeBatchConfig(server, "openai", {
      batch: "{ poll_seconds: 0.01, collect_ms: 20, max_requests: 7 }",
    });
    await runAudit(configFile);
    const db = join(dir, "run", RUN_DB);
    const trials = count(db, "SELECT count(*) FROM trials");
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(Math.max(...server.stats.batchSizes)).toBeLessThanOrEqual(7);
    expect(server.stats.linesByModel["gpt-fake"]).toBe(trials);
    expect(server.stats.batches).toBeGreaterThanOrEqual(Math.ceil(trials / 7));
    // Each batch file was removed once uploaded.
    expect(readdirSync(join(dir, "run", "batches"))).toEqual([]);
  });
});
