/**
 * Failures are history once their trials are done: after a run with faults and a clean re-run,
 * the summary counts no failures and lists none.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/analysis/summary.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let faulty: FakeServer;
let healthy: FakeServer;
beforeAll(async () => {
  faulty = await startOpenAIServer({ reply: scriptedReply, faultRate: 0.3, faultStatus: 500 });
  healthy = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await Promise.all([faulty.close(), healthy.close()]);
});

describe("stale failures", () => {
  it("disappear from the summary once their trials are done", async () => {
    // The judge's server fails 30% of calls; the subjects' is healthy (trial ids stay the same).
    const { configFile, dir } = writeAuditConfig(healthy.baseURL, {
      n: 2,
      judgeURL: faulty.baseURL,
    });
    // One attempt per call: the faults become recorded failures.
    const once = readFileSync(configFile, "utf8").replace(
      /retry: \{[^}]*\}/,
      "retry: { max_attempts: 1 }",
    );
    writeFileSync(configFile, once);
    const first = await runCli(["audit", configFile]);
    // Exit 3: some trials still lack a verdict.
    expect(first.code, first.stderr).toBe(3);
    const summaryFile = join(dir, "run", "summary.json");
    const before = JSON.parse(readFileSync(summaryFile, "utf8")) as Summary;
    expect(before.totals.judgeFailures).toBeGreaterThan(0);
    expect(before.openFailures?.length ?? 0).toBeGreaterThan(0);

    writeFileSync(configFile, once.replaceAll(faulty.baseURL, healthy.baseURL));
    const second = await runCli(["audit", configFile]);
    expect(second.code, second.stderr).toBe(0);
    const after = JSON.parse(readFileSync(summaryFile, "utf8")) as Summary;
    expect(after.totals.judged).toBe(after.totals.trials);
    expect(after.totals).toMatchObject({ generateFailures: 0, judgeFailures: 0 });
    expect(after.openFailures ?? []).toEqual([]);
    expect(second.stdout).toContain("failures: 0 generate, 0 judge");
    expect(second.stdout).not.toContain("Unfinished trials failed with");
  }, 120_000);
});
