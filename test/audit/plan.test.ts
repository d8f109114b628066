import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAudit, runAudit } from "../../src/stages/audit.js";
import { planCounts } from "../../src/stages/plan-summary.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("candor plan", () => {
  it("prints the grid, judge calls and a cost estimate without calling any model", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, {
      n: 5,
      extra:
        'challenge: {}\nprices: { "openai-compatible:": { input_per_mtok: 1, output_per_mtok: 2 } }',
    });
    const before = server.stats.requests;
    const out = await runCli(["plan", configFile]);
    expect(out.code).toBe(0);
    expect(server.stats.requests).toBe(before);
    // 2 subjects × 2 tasks × 5 items × 2 contexts × 4 beliefs
    expect(out.stdout).toContain(
      // + one preflight probe each for the subjects' model and the judge
      'total: 160 trials; up to 642 model calls: 160 generation, 160 "are you sure?" follow-ups, 320 judge (160 of them on follow-ups), 0 warmth ratings, 2 preflight probes',
    );
    expect(out.stdout).toMatch(/reference\s+triviaqa\s+5\s+8\s+40/);
    expect(out.stdout).toMatch(/total cost: ≤ \$\d+\.\d\d/);
    // 5 items × 8 conditions = 40 pairs per task; 80 pooled
    expect(out.stdout).toMatch(
      /warm vs reference\s+triviaqa\s+40 pairs\s+design effect\s+[\d.]+\s+\+\d+\.\d pp/,
    );
    expect(out.stdout).toMatch(/warm vs reference\s+all\s+80 pairs/);
    const rarer = await runCli(["plan", configFile, "--json", "--reference-error", "0.05"]);
    const power = JSON.parse(rarer.stdout) as {
      power: { task: string; minGapPp: number }[];
      powerAssumptions: { referenceError: number };
    };
    expect(power.powerAssumptions.referenceError).toBe(0.05);
    expect(power.power.find((p) => p.task === "all")!.minGapPp).toBeLessThan(
      JSON.parse((await runCli(["plan", configFile, "--json"])).stdout).power.find(
        (p: { task: string }) => p.task === "all",
      ).minGapPp,
    );

    const counts = planCounts(await prepareAudit(configFile));
    const subject = counts.models.find((m) => m.role === "subject")!;
    expect(subject.calls).toBe(320);
    // every trial caps output at the study's 300 tokens; the follow-up too
    expect(subject.maxOutputTokens).toBe(320 * 300);
    expect(subject.maxCostUsd).toBeCloseTo(
      (subject.inputTokens * 1 + subject.maxOutputTokens * 2) / 1e6,
      9,
    );
  });

  it("--contexts/--beliefs restrict the grid and the work, and must be a subset of the config", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, { n: 2 });
    const json = await runCli([
      "plan",
      configFile,
      "--json",
      "--contexts",
      "emotion:sad",
      "--beliefs",
      "incorrect",
    ]);
    expect(JSON.parse(json.stdout).trials).toBe(2 * 2 * 2);
    const partial = await runAudit(configFile, {
      contexts: ["emotion:sad"],
      beliefs: ["incorrect"],
    });
    expect(partial.summary.totals.responses).toBe(8);
    const full = await runAudit(configFile);
    expect(full.summary.totals.responses).toBe(64);
    expect(full.progress.generate.resumed).toBe(8);
    const bad = await runCli(["plan", configFile, "--contexts", "stake:high"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--contexts stake:high: expected a subset of the contexts");
    const typo = await runCli(["audit", configFile, "--beliefs", "wrong"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      "expected a comma-separated list of original, original_neutral, incorrect, correct",
    );
  });

  it("candor power gives pairs for a gap and the smallest gap for a number of pairs", async () => {
    const out = await runCli([
      "power",
      "--gap",
      "7.4",
      "--pairs",
      "9000",
      "--reference-error",
      "0.2",
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("To detect a gap of +7.4 pp: 520 paired trials");
    expect(out.stdout).toMatch(
      /With 9000 paired trials the smallest detectable increase is \+1\.\d\d pp/,
    );
    const bad = await runCli(["power", "--reference-error", "20"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--reference-error 20: expected a proportion between 0 and 1");
  });
});
