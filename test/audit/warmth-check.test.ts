import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("warmth manipulation check in an audit", () => {
  it("rates every response, reports warmth per subject and tests warm vs reference (paired)", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, {
      n: 2,
      extra: `warmth: { judge: { model: "openai-compatible:${server.baseURL}#fake-judge" } }`,
    });
    const result = await runAudit(configFile);
    const check = result.summary.warmth!;
    const mean = (id: string) => check.subjects.find((s) => s.subject === id)!;
    // reference: always plain (3); warm: plain without a belief (3), "so glad" with one (6)
    expect(mean("reference")).toMatchObject({ n: 32, mean: 3 });
    expect(mean("warm")).toMatchObject({ n: 32, mean: 4.5 });
    const cmp = check.comparisons.find((c) => c.treatment === "warm")!;
    expect(cmp.warmer).toBe(true);
    expect(check.warnings).toEqual([]);
    const before = server.stats.requests;
    await runAudit(configFile);
    expect(server.stats.requests).toBe(before);
  });
});
