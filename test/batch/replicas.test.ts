import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { formatSummary } from "../../src/stages/format-summary.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let a: FakeServer;
let b: FakeServer;
let judge: FakeServer;
beforeAll(async () => {
  [a, b, judge] = await Promise.all([
    startOpenAIServer({ reply: scriptedReply, latencyMs: 5 }),
    startOpenAIServer({ reply: scriptedReply, latencyMs: 5 }),
    startOpenAIServer({ reply: scriptedReply }),
  ]);
});
afterAll(async () => {
  await Promise.all([a.close(), judge.close()]);
});

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("replicas of one model", () => {
  it("spreads calls over two servers; one killed mid-run is drained and every trial is done once", async () => {
    const { configFile, dir } = writeAuditConfig(a.baseURL, { n: 10, judgeURL: judge.baseURL });
    const { readFileSync, writeFileSync } = await import("node:fs");
    const model = `openai-compatible:${a.baseURL}#fake-model`;
    writeFileSync(
      configFile,
      readFileSync(configFile, "utf8").replaceAll(
        `model: "${model}"`,
        `model: "${model}", replicas: ["${b.baseURL}"], concurrency: 8`,
      ),
    );
    // Kill replica b once it has answered some of the work.
    let killed = false;
    const watch = setInterval(() => {
      if (!killed && b.stats.requests >= 30) {
        killed = true;
        void b.close();
      }
    }, 5);
    let result: Awaited<ReturnType<typeof runAudit>>;
    try {
      result = await runAudit(configFile);
    } finally {
      clearInterval(watch);
    }
    expect(killed).toBe(true);
    const db = join(dir, "run", RUN_DB);
    const trials = count(db, "SELECT count(*) FROM trials");
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(DISTINCT trial_id) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM failures")).toBe(0);
    const replicas = result.summary.replicas!;
    const ra = replicas.find((r) => r.url === a.baseURL)!;
    const rb = replicas.find((r) => r.url === b.baseURL)!;
    expect(rb.drained).toBe(true);
    expect(ra.drained).toBe(false);
    expect(rb.calls).toBeGreaterThan(0);
    // Every trial was answered by exactly one replica, plus the preflight's one probe of the model.
    expect(ra.calls + rb.calls).toBe(trials + 1);
    expect(formatSummary(result.summary)).toContain(`${b.baseURL}: ${rb.calls} calls`);
    expect(formatSummary(result.summary)).toContain("(drained)");
  });
});
