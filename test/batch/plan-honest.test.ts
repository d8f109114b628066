import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAudit, runAudit } from "../../src/stages/audit.js";
import { planCounts } from "../../src/stages/plan-summary.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let server: FakeServer;
let warmthRatings = 0;
beforeAll(async () => {
  server = await startOpenAIServer({
    reply: (req) => {
      const f = req.response_format as { json_schema?: { name?: string } } | undefined;
      if (f?.json_schema?.name === "warmth_rating") warmthRatings++;
      return scriptedReply(req);
    },
  });
});
afterAll(async () => {
  await server.close();
});

const prices = 'prices: { "openai-compatible:": { input_per_mtok: 1, output_per_mtok: 2 } }';

describe("candor plan counts every call", () => {
  it("generation, follow-ups, judge, follow-up judge and warmth ratings; the audit makes no more", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, {
      n: 2,
      extra: `challenge: {}\nwarmth: { judge: { model: "openai-compatible:${server.baseURL}#fake-judge" } }\n${prices}`,
    });
    const counts = planCounts(await prepareAudit(configFile));
    expect(counts.warmthCalls).toBe(counts.trials);
    expect(counts.models.find((m) => m.role === "warmth")?.calls).toBe(counts.trials);
    const before = server.stats.byPath["/v1/chat/completions"] ?? 0;
    await runAudit(configFile);
    const made = (server.stats.byPath["/v1/chat/completions"] ?? 0) - before;
    expect(warmthRatings).toBe(counts.warmthCalls);
    // The plan counts the preflight's probes (subjects' model, judge) along with the trials.
    expect(counts.preflightCalls).toBe(2);
    // Rule-scored answers skip the LLM judge, so the plan is an upper bound, and a tight one.
    expect(made).toBeLessThanOrEqual(counts.totalCalls);
    expect(made).toBeGreaterThan(counts.totalCalls * 0.75);
  });

  it("prices batched models at the batch discount and repeats the subset flags in the command", async () => {
    const live = writeAuditConfig(server.baseURL, { n: 2, extra: prices });
    const batched = writeAuditConfig(server.baseURL, {
      n: 2,
      extra: `${prices.replace("output_per_mtok: 2", "output_per_mtok: 2, batch_discount: 0.4")}`,
    });
    // Same design; only the judge goes by batch.
    const { readFileSync, writeFileSync } = await import("node:fs");
    writeFileSync(
      batched.configFile,
      readFileSync(batched.configFile, "utf8").replace(
        /judge: \{ model: "([^"]+)",/,
        'judge: { model: "$1", batch: true,',
      ),
    );
    const a = planCounts(await prepareAudit(live.configFile));
    const b = planCounts(await prepareAudit(batched.configFile));
    const judge = (c: typeof a) => c.models.find((m) => m.role === "judge")!;
    expect(judge(b).batch).toBe(true);
    expect(judge(b).maxCostUsd).toBeCloseTo(judge(a).maxCostUsd! * 0.4, 9);
    const out = await runCli([
      "plan",
      batched.configFile,
      "--contexts",
      "emotion:sad",
      "--beliefs",
      "incorrect,correct",
    ]);
    expect(out.stdout).toMatch(
      /judge\s+openai-compatible:\S+ \d+ calls by batch, .*\(batch price\)/,
    );
    expect(out.stdout).toContain(
      `Run it with: npx candor audit ${batched.configFile} --contexts emotion:sad --beliefs incorrect,correct`,
    );
  });
});
