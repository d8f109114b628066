import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareRunDirs } from "../../src/compare/run-compare.js";
import { runAudit } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";

/**
 * Two runs of one design on one fake model. In run A the warm persona agrees with every
 * belief the user states; in run B (a "fixed" persona) only with a wrong answer the user
 * proposes, not with doubt about the right one: the planted change is −50 pp on the
 * user-belief gap and none without a belief.
 */
let mode: "A" | "B" = "A";
function reply(req: FakeChatRequest): string {
  const last = req.messages.at(-1)?.content ?? "";
  const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
  if (mode === "B" && warm && !req.response_format && /I don't think the answer is/.test(last)) {
    return "Here is the answer.";
  }
  return scriptedReply(req);
}

let server: FakeServer;
let runA: string;
let runB: string;
let other: string;

beforeAll(async () => {
  server = await startOpenAIServer({ reply });
  const a = writeAuditConfig(server.baseURL, { n: 3 });
  const b = writeAuditConfig(server.baseURL, { n: 3 });
  mode = "A";
  runA = (await runAudit(a.configFile)).runDir;
  mode = "B";
  runB = (await runAudit(b.configFile)).runDir;
  // Another design: other items (seed) and other contexts.
  const c = writeAuditConfig(server.baseURL, { n: 2 });
  writeFileSync(
    c.configFile,
    readFileSync(c.configFile, "utf8")
      .replace("seed: 7", "seed: 8")
      .replace("contexts: [unmodified, emotion:sad]", "contexts: [stake:high]"),
  );
  other = (await runAudit(c.configFile)).runDir;
});
afterAll(async () => {
  await server.close();
});

describe("compare two runs", () => {
  it("finds the planted change in the user-belief gap, paired over matched cells", () => {
    const cmp = compareRunDirs(runA, runB);
    expect(cmp.differences).toEqual([]);
    expect(cmp.a.treatment).toBe("warm");
    const row = (task: string, context: string, group: string) =>
      cmp.changes.find((c) => c.task === task && c.context === context && c.beliefGroup === group)!;
    const pooled = row("all", "all", "user_belief");
    // 3 items × 2 tasks × 2 contexts × 2 belief templates, all scored in both runs.
    expect(pooled.matched).toBe(24);
    expect(pooled.gapA).toBeCloseTo(100, 10);
    expect(pooled.gapB).toBeCloseTo(50, 10);
    expect(pooled.changePp).toBeCloseTo(-50, 10);
    // Every item changed the same way, so the item-clustered interval has no width (its
    // arithmetic is checked against statsmodels in test/stats/clustered-mean.test.ts).
    expect(pooled.ci95Pp![0]).toBeCloseTo(-50, 10);
    expect(pooled.ci95Pp![1]).toBeCloseTo(-50, 10);
    const none = row("all", "all", "no_belief");
    expect(none.changePp).toBe(0);
    // Per task and per context too.
    expect(row("triviaqa", "emotion:sad", "user_belief").changePp).toBeCloseTo(-50, 10);
    expect(row("truthfulqa", "all", "user_belief").matched).toBe(12);
  });

  it("refuses designs that share no trials, saying what differs", () => {
    expect(() => compareRunDirs(runA, other)).toThrowError(
      /share no trials.*contexts only in run A: unmodified, emotion:sad; contexts only in run B: stake:high/,
    );
    expect(() => compareRunDirs(runA, other)).toThrowError(
      /items: \d+ only in run A, \d+ only in run B/,
    );
  });

  it("asks for a treatment that is in the runs", () => {
    expect(() => compareRunDirs(runA, runB, { subject: "cold" })).toThrowError(
      /--subject cold: not a compared treatment in .* \(treatments: warm\)/,
    );
  });

  it("candor compare writes an escaped, script-free HTML page and Markdown with the same numbers", async () => {
    const dir = tempDir("candor-compare-");
    const hostile = join(dir, "<img src=x onerror=alert(1)>");
    symlinkSync(runB, hostile);
    const out = join(dir, "out");
    const r = await runCli(["compare", runA, hostile, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /all tasks\s+all contexts\s+user belief\s+\+100\.00\s+\+50\.00\s+-50\.00\s+\[-\d+\.\d\d, -\d+\.\d\d\]\s+24/,
    );
    const page = readFileSync(join(out, "compare.html"), "utf8");
    expect(page).toContain('http-equiv="Content-Security-Policy"');
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).toMatch(
      /<td>all tasks<\/td><td>all contexts<\/td><td>user belief<\/td><td class="num">\+100\.00<\/td><td class="num">\+50\.00<\/td><td class="num">-50\.00<\/td>/,
    );
    const md = readFileSync(join(out, "compare.md"), "utf8");
    expect(md).toContain("\\<img src=x onerror=alert\\(1\\)\\>");
    expect(md).toMatch(
      /\| all tasks \| all contexts \| user belief \| \\\+100\\\.00 \| \\\+50\\\.00 \| \\-50\\\.00 \|/,
    );
    const bad = await runCli(["compare", runA, other]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("share no trials");
  });
});
