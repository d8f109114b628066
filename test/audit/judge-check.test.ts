import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agreementOf } from "../../src/judge/agreement.js";
import { collectReport } from "../../src/report/collect.js";
import { renderMarkdown } from "../../src/report/markdown.js";
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
  // The first test's run and labels, reused by the second (tests in a file run in order).
  let shared: { run: string; labels: string; firstId: string } | undefined;
  it("samples blind, proportionally stratified rows to label, keeps the key in the store and every check in its history", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 3 });
    await runAudit(configFile);
    const run = join(dir, "run");
    const out = join(dir, "to-label.csv");
    const sampled = await runCli(["judge-check", run, "--sample", "20", "--out", out]);
    expect(sampled.code).toBe(0);
    const text = readFileSync(out, "utf8");
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(20);
    // Blind: no subject, model, trial id or verdict column, and no such value in any cell.
    expect(Object.keys(rows[0]!)).toEqual([
      "id",
      "task",
      "question",
      "correct_answers",
      "incorrect_answers",
      "prompt",
      "response",
      "label",
    ]);
    expect(rows.every((r) => r.label === "" && /^r[0-9a-f]{12}$/.test(r.id!))).toBe(true);
    const store = RunStore.open(join(run, "run.sqlite"), { readonly: true });
    const trials = store.db.prepare("SELECT id, rowid FROM trials").all() as {
      id: string;
      rowid: number;
    }[];
    for (const t of trials) expect(text).not.toContain(t.id);
    for (const secret of ["fake-model", "fake-judge", "reference", "warm", "empath"])
      expect(text).not.toContain(secret);
    const key = new Map(
      (
        store.db.prepare("SELECT sample_id, trial_id, weight FROM judge_check_samples").all() as {
          sample_id: string;
          trial_id: string;
          weight: number;
        }[]
      ).map((r) => [r.sample_id, r]),
    );
    expect(rows.every((r) => key.has(r.id!))).toBe(true);
    // Shuffled: the file's order is not the plan order.
    const rowid = new Map(trials.map((t) => [t.id, t.rowid]));
    const order = rows.map((r) => rowid.get(key.get(r.id!)!.trial_id)!);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    // Proportional: each stratum (task × subject × verdict) gets its share of 20, within one row.
    const strata = store.db
      .prepare(
        "SELECT t.task || '|' || t.subject_id || '|' || j.label AS s, t.id FROM trials t JOIN judgments j ON j.trial_id = t.id AND j.judge LIKE '%#fake-judge#rubric-v1'",
      )
      .all() as { s: string; id: string }[];
    const stratumOf = new Map(strata.map((r) => [r.id, r.s]));
    const population = new Map<string, number>();
    for (const r of strata) population.set(r.s, (population.get(r.s) ?? 0) + 1);
    const picked = new Map<string, number>();
    for (const r of rows) {
      const s = stratumOf.get(key.get(r.id!)!.trial_id)!;
      picked.set(s, (picked.get(s) ?? 0) + 1);
    }
    for (const [s, size] of population)
      expect(Math.abs((picked.get(s) ?? 0) - (20 * size) / strata.length)).toBeLessThan(1);
    // Stored weights (stratum size / rows sampled from it) add up to the population.
    const weights = [...key.values()].reduce((sum, r) => sum + r.weight, 0);
    expect(weights).toBeCloseTo(strata.length, 9);
    const verdict = new Map(
      (
        store.db
          .prepare(
            "SELECT trial_id, label FROM judgments WHERE judge LIKE '%#fake-judge#rubric-v1'",
          )
          .all() as { trial_id: string; label: string }[]
      ).map((r) => [r.trial_id, r.label]),
    );
    const subjectOf = new Map(
      (
        store.db.prepare("SELECT id, subject_id FROM trials").all() as {
          id: string;
          subject_id: string;
        }[]
      ).map((r) => [r.id, r.subject_id]),
    );
    store.close();

    // A person agrees with the judge except on the first two scored rows.
    const trialOf = (r: Record<string, string>) => key.get(r.id!)!.trial_id;
    const scored = rows.filter((r) => ["CORRECT", "INCORRECT"].includes(verdict.get(trialOf(r))!));
    const labelled = scored.map((r, i): Record<string, string> => {
      const v = verdict.get(trialOf(r))!;
      return { ...r, label: i < 2 ? (v === "CORRECT" ? "incorrect" : "correct") : v };
    });
    const labels = join(dir, "labels.csv");
    writeFileSync(labels, stringify(labelled, { header: true }));
    const check = await runCli(["judge-check", run, "--labels", labels, "--json"]);
    expect(check.code).toBe(0);
    const result = JSON.parse(check.stdout) as {
      n: number;
      agreement: number;
      kappa: number;
      kappaCi95: [number, number];
      check: number;
      perSubject: { subject: string; n: number; agreement: number }[];
      perTask: { task: string; n: number }[];
      comparisons: { treatment: string; reference: string; treatmentN: number; p: number | null }[];
    };
    const expected = agreementOf(
      labelled.map((r) => ({ a: verdict.get(trialOf(r))!, b: r.label!.toUpperCase() })),
    );
    expect(result.n).toBe(labelled.length);
    expect(result.agreement).toBeCloseTo((labelled.length - 2) / labelled.length, 12);
    expect(result.kappa).toBeCloseTo(expected.kappa, 12);
    expect(result.kappaCi95[0]).toBeGreaterThanOrEqual(-1);
    expect(result.kappaCi95[1]).toBeLessThanOrEqual(1);
    expect(result.check).toBe(1);
    // Per subject, by readable name, from the key in the store.
    const warmRows = labelled.filter((r) => subjectOf.get(trialOf(r)) === "warm");
    expect(result.perSubject.find((g) => g.subject === "warm")?.n).toBe(warmRows.length);
    expect(result.perTask.map((g) => g.task).sort()).toEqual(
      [...new Set(labelled.map((r) => r.task!))].sort(),
    );
    expect(result.comparisons[0]).toMatchObject({
      treatment: "warm",
      reference: "reference",
      treatmentN: warmRows.length,
    });
    shared = { run, labels, firstId: rows[0]!.id! };
  });

  it("prints the breakdown, numbers each check, and names the file, row and column of a bad label", async () => {
    const { run, labels, firstId } = shared!;
    const textOut = await runCli(["judge-check", run, "--labels", labels]);
    expect(textOut.stdout).toContain("Cohen's kappa");
    expect(textOut.stdout).toContain("confusion");
    expect(textOut.stdout).toContain("per subject");
    expect(textOut.stdout).toContain("does the judge agree less often on the treatment's answers?");
    expect(textOut.stdout).toContain("(check 2 of this run)");

    // Every check is kept.
    const after = RunStore.open(join(run, "run.sqlite"), { readonly: true });
    expect(after.db.prepare("SELECT count(*) FROM judge_checks").pluck().get()).toBe(2);
    after.close();
    // The report shows the latest check per subject by name, and the history.
    const md = renderMarkdown(collectReport(run));
    expect(md).toContain("### perSubject");
    expect(md).toMatch(/\| warm \| \d+ \|/);
    expect(md).toContain("### history");
    expect(md).toMatch(/\| 2 \| [^\n]*human labels/);

    writeFileSync(labels, "id,label\nr000000000000,CORRECT\n");
    const unknown = await runCli(["judge-check", run, "--labels", labels]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("row 2, column id");
    writeFileSync(labels, `id,label\n${firstId},MAYBE\n`);
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
    const judgeAgain = () =>
      runCli(["judge", run, "--model", `openai-compatible:${server.baseURL}#other-judge`]);
    const out = await judgeAgain();
    expect(out.code).toBe(0);
    expect(server.stats.requests - before).toBe(first.summary.totals.trials + 1); // + preflight
    expect(out.stdout).toContain("#other-judge#rubric-v1");
    const again = await judgeAgain();
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
