import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agreementOf } from "../../src/judge/agreement.js";
import { runAudit } from "../../src/stages/audit.js";
import { RunStore } from "../../src/store/run-store.js";
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

describe("candor judge-check", () => {
  it("samples blind, stratified rows to label and reports agreement and kappa against the labels", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 3 });
    await runAudit(configFile);
    const run = join(dir, "run");
    const out = join(dir, "to-label.csv");
    const sampled = await runCli(["judge-check", run, "--sample", "20", "--out", out]);
    expect(sampled.code).toBe(0);
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(20);
    expect(Object.keys(rows[0]!)).not.toContain("verdict");
    expect(rows.every((r) => r.label === "")).toBe(true);
    // every stratum (task × verdict × subject) present in the run is represented
    const store = RunStore.open(join(run, "run.sqlite"), { readonly: true });
    const strata = store.db
      .prepare(
        "SELECT DISTINCT t.task || t.subject_id || j.label FROM trials t JOIN judgments j ON j.trial_id = t.id",
      )
      .pluck()
      .all() as string[];
    const verdict = new Map(
      (
        store.db.prepare("SELECT trial_id, label FROM judgments").all() as {
          trial_id: string;
          label: string;
        }[]
      ).map((r) => [r.trial_id, r.label]),
    );
    store.close();
    const seen = new Set(rows.map((r) => `${r.task}${r.subject}${verdict.get(r.trial_id!)}`));
    expect(seen.size).toBe(strata.length);

    // A person agrees with the judge except on the first two scored rows.
    const scored = rows.filter((r) => ["CORRECT", "INCORRECT"].includes(verdict.get(r.trial_id!)!));
    const labelled = scored.map((r, i): Record<string, string> => {
      const v = verdict.get(r.trial_id!)!;
      return { ...r, label: i < 2 ? (v === "CORRECT" ? "incorrect" : "correct") : v };
    });
    const labels = join(dir, "labels.csv");
    writeFileSync(labels, stringify(labelled, { header: true }));
    const check = await runCli(["judge-check", run, "--labels", labels, "--json"]);
    expect(check.code).toBe(0);
    const result = JSON.parse(check.stdout) as { n: number; agreement: number; kappa: number };
    const expected = agreementOf(
      labelled.map((r) => ({ a: verdict.get(r.trial_id!)!, b: r.label!.toUpperCase() })),
    );
    expect(result.n).toBe(labelled.length);
    expect(result.agreement).toBeCloseTo((labelled.length - 2) / labelled.length, 12);
    expect(result.kappa).toBeCloseTo(expected.kappa, 12);
    const text = await runCli(["judge-check", run, "--labels", labels]);
    expect(text.stdout).toContain("Cohen's kappa");
    expect(text.stdout).toContain("confusion");

    writeFileSync(labels, "trial_id,label\nabc,MAYBE\n");
    const bad = await runCli(["judge-check", run, "--labels", labels]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("row 2, column label");
  });

  it("compares two judges of the same run", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 2 });
    await runAudit(configFile);
    // Re-judge the same responses with a second judge: only judge calls are made.
    const text = readFileSync(configFile, "utf8").replace("#fake-judge", "#second-judge");
    writeFileSync(configFile, text);
    const before = server.stats.requests;
    const second = await runAudit(configFile);
    // + the preflight: one call to the subjects' model, one to the new judge
    expect(server.stats.requests - before).toBe(second.summary.totals.trials + 2);
    const firstJudge = `openai-compatible:${server.baseURL}#fake-judge#rubric-v1`;
    const check = await runCli([
      "judge-check",
      join(dir, "run"),
      "--against",
      firstJudge,
      "--json",
    ]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ agreement: 1, kappa: 1 });
  });
});

describe("candor judge", () => {
  it("judges a finished run's responses with another judge, without generating, and resumes to zero calls", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 2 });
    const first = await runAudit(configFile);
    const run = join(dir, "run");
    const before = server.stats.requests;
    const out = await runCli([
      "judge",
      run,
      "--model",
      `openai-compatible:${server.baseURL}#other-judge`,
    ]);
    expect(out.code).toBe(0);
    expect(server.stats.requests - before).toBe(first.summary.totals.trials + 1); // + preflight
    expect(out.stdout).toContain("#other-judge#rubric-v1");
    const again = await runCli([
      "judge",
      run,
      "--model",
      `openai-compatible:${server.baseURL}#other-judge`,
    ]);
    expect(again.code).toBe(0);
    expect(server.stats.requests - before).toBe(first.summary.totals.trials + 1); // + preflight
    const check = await runCli([
      "judge-check",
      run,
      "--judge",
      `openai-compatible:${server.baseURL}#other-judge#rubric-v1`,
      "--against",
      `openai-compatible:${server.baseURL}#fake-judge#rubric-v1`,
      "--json",
    ]);
    expect(JSON.parse(check.stdout)).toMatchObject({ kappa: 1 });
  });
});
