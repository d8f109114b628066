import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAudit, runAudit } from "../../src/stages/audit.js";
import { planCounts } from "../../src/stages/plan-summary.js";
import { RunStore } from "../../src/store/run-store.js";
import {
  judgeOn,
  medqaTask,
  triviaqaTask,
  truthfulqaTask,
  writeAuditYaml,
} from "../helpers/audit-config.js";
import { runCli } from "../helpers/cli.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { isJudgeProbe } from "../helpers/probes.js";

/**
 * A subject that never knows the answer, and a judge planted to grade warm
 * prose differently: it accepts any answer that opens with a warm flourish.
 * The rule (no reference answer named → INCORRECT) is blind to the flourish,
 * so the judge agrees with it on every reference answer and on no warm one.
 */
const judgeCalls: FakeChatRequest[] = [];
let judgeProbes = 0;
function plantedReply(req: FakeChatRequest): string {
  const last = req.messages.at(-1)?.content ?? "";
  if (req.model === "fake-judge") {
    const response = /<response>\n([\s\S]*)\n<\/response>/.exec(last)?.[1] ?? "";
    // Grading calls only, not the preflight's judge probe.
    if (!isJudgeProbe(last)) judgeCalls.push(req);
    else judgeProbes++;
    return JSON.stringify({
      rationale: "graded",
      verdict: /wonderful/.test(response) ? "CORRECT" : "INCORRECT",
    });
  }
  const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
  return warm ? "What a wonderful question, my friend! I don't know." : "I don't know.";
}

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: plantedReply });
});
afterAll(async () => {
  await server.close();
});

function writeConfig(tasks: string[], judge: string): { dir: string; configFile: string } {
  return writeAuditYaml({
    prefix: "candor-rules-",
    name: "rules",
    seed: 11,
    model: `openai-compatible:${server.baseURL}#fake-model`,
    tasks,
    beliefs: ["original", "incorrect"],
    judge,
  });
}

const fakeJudge = () => judgeOn(`openai-compatible:${server.baseURL}#fake-judge`);

function ruleVerdicts(dir: string): number {
  const store = RunStore.open(join(dir, "run", "run.sqlite"), { readonly: true });
  try {
    return store.db
      .prepare("SELECT count(*) FROM judgments WHERE judge = 'rule#v1'")
      .pluck()
      .get() as number;
  } finally {
    store.close();
  }
}

describe("rule cross-check", () => {
  it("scores TriviaQA and MedQA by rule beside the judge and warns when the judge grades the treatment's prose differently", async () => {
    const { dir, configFile } = writeConfig([triviaqaTask(5), medqaTask(5)], fakeJudge());
    const first = await runAudit(configFile);
    const trials = first.summary.totals.trials;
    expect(trials).toBe(2 * 10 * 2);
    expect(ruleVerdicts(dir)).toBe(trials);
    const check = first.summary.ruleCheck!;
    expect(check.tasks).toEqual(["triviaqa", "medqa"]);
    const cell = (subject: string, task: string) =>
      check.cells.find((c) => c.subject === subject && c.task === task)!;
    expect(cell("reference", "triviaqa")).toMatchObject({ n: 10, agreement: 1 });
    expect(cell("warm", "medqa")).toMatchObject({ n: 10, agreement: 0, judgeOnlyCorrect: 10 });
    expect(check.gaps.filter((g) => g.warn).map((g) => g.task)).toEqual([
      "triviaqa",
      "medqa",
      "all",
    ]);
    expect(check.warnings[0]).toContain("the judge may grade warm's prose differently");

    // The same table and warning in summary.json and on the terminal.
    const json = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8"));
    expect(json.ruleCheck.warnings).toEqual(check.warnings);
    const text = await runCli(["summary", join(dir, "run")]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Judge vs rule (rule#v1)");
    expect(text.stdout).toMatch(/warm\s+triviaqa\s+10\s+0\.0%\s+10\s+0/);
    expect(text.stdout).toContain(`WARNING: ${check.warnings[0]}`);

    // The report shows the same table and the same warning (HTML escapes the apostrophe).
    const report = await runCli(["report", join(dir, "run")]);
    expect(report.code).toBe(0);
    const md = readFileSync(join(dir, "run", "report", "report.md"), "utf8");
    expect(md).toContain("## Judge vs rule");
    expect(md).toMatch(/\| warm \| TriviaQA \| 10 \| 0\.0% \| 10 \| 0 \|/);
    expect(md).toContain("| warm − reference | TriviaQA | 100.0% | 0.0% | -100.0 pp | WARNING |");
    const html = readFileSync(join(dir, "run", "report", "report.html"), "utf8");
    expect(html).toContain('<section id="rule-check">');
    expect(html).toContain("the judge may grade warm&#39;s prose differently");
    expect(html).toContain("<td>WARNING</td>");

    // Resuming: nothing is scored or called twice.
    const requests = server.stats.requests;
    await runAudit(configFile);
    expect(server.stats.requests).toBe(requests);
    expect(ruleVerdicts(dir)).toBe(trials);
  });

  it("judge: { model: rule } scores TriviaQA and MedQA with no judge call at all", async () => {
    const { dir, configFile } = writeConfig([triviaqaTask(5), medqaTask(5)], "{ model: rule }");
    const before = judgeCalls.length;
    const result = await runAudit(configFile);
    expect(judgeCalls.length).toBe(before);
    expect(result.summary.judge).toBe("rule#v1");
    expect(result.summary.totals.judged).toBe(result.summary.totals.trials);
    expect(result.summary.ruleCheck).toBeUndefined();
    const all = result.summary.cells.filter(
      (c) => c.task === "all" && c.beliefGroup === "no_belief",
    );
    expect(all.map((c) => c.errorRate)).toEqual([1, 1]);
    expect(ruleVerdicts(dir)).toBe(result.summary.totals.trials);
  });

  it("a task may name its own judge: TriviaQA by rule, TruthfulQA by the model", async () => {
    const { configFile } = writeConfig(
      [triviaqaTask(5, ", judge: { model: rule }"), truthfulqaTask(3)],
      fakeJudge(),
    );
    // The plan counts judge calls for TruthfulQA only, and lists no model for the rule.
    const plan = planCounts(await prepareAudit(configFile));
    expect(plan.judgeCalls).toBe(2 * 3 * 2);
    expect(plan.models.filter((m) => m.role === "judge").map((m) => m.model)).toEqual([
      `openai-compatible:${server.baseURL}#fake-judge`,
    ]);
    const before = judgeCalls.length;
    const probesBefore = judgeProbes;
    const result = await runAudit(configFile);
    // One preflight probe: the model judge is checked once before its first trial.
    expect(judgeProbes - probesBefore).toBe(1);
    const truthful = result.summary.cells
      .filter((c) => c.task === "truthfulqa")
      .reduce((n, c) => n + c.responses, 0);
    expect(truthful).toBe(2 * 3 * 2);
    expect(judgeCalls.length - before).toBe(truthful);
    expect(result.summary.judge).toBe(
      `openai-compatible:${server.baseURL}#fake-judge#rubric-v1 | triviaqa=rule#v1`,
    );
    expect(result.summary.totals.judged).toBe(result.summary.totals.trials);
    // TriviaQA is judged by the rule itself: nothing to cross-check.
    expect(result.summary.ruleCheck).toBeUndefined();
  });

  it("refuses `rule` for a task no rule can score, naming the task", async () => {
    const { configFile } = writeConfig([triviaqaTask(5), truthfulqaTask(3)], "{ model: rule }");
    const out = await runCli(["plan", configFile]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("judge.model");
    expect(out.stderr).toContain("tasks[1] (truthfulqa) needs a model judge");
  });
});
