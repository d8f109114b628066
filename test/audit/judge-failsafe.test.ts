import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mdText } from "../../src/report/escape.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { judgeRun } from "../../src/stages/judge-run.js";
import { startUnparseableRetry } from "../../src/store/retry-unparseable.js";
import { RunStore } from "../../src/store/run-store.js";
import { triviaqaTask, truthfulqaTask, writeAuditYaml } from "../helpers/audit-config.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { countIn } from "../helpers/run-db.js";

/** An audit file: two subjects on `subjectURL`, the given judge line, shared TriviaQA/TruthfulQA. */
function writeConfig(
  subjectURL: string,
  judge: string,
  options: { n?: number; extra?: string } = {},
): { dir: string; configFile: string; runDir: string } {
  const n = options.n ?? 3;
  return writeAuditYaml({
    prefix: "candor-failsafe-",
    name: "failsafe",
    seed: 7,
    model: `openai-compatible:${subjectURL}#fake-model`,
    tasks: [triviaqaTask(n), truthfulqaTask(n)],
    contexts: ["unmodified", "emotion:sad"],
    judge,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    extra: options.extra,
  });
}

const count = (runDir: string, sql: string) => countIn(join(runDir, RUN_DB), sql);

/** Subjects answer plainly; the judge (model "fake-judge") follows the verdict format. */
function verdictJudge(req: FakeChatRequest): string {
  if (req.model !== "fake-judge") return "Here is the answer.";
  return JSON.stringify({ rationale: "plain answer", verdict: "CORRECT" });
}

const PROSE =
  "\u001b[31mThe response looks right to me\u001b[0m, it matches the reference answer well.";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({
    reply: (req) => (req.model === "fake-judge" ? PROSE : "Here is the answer."),
  });
});
afterAll(async () => {
  await server.close();
});

describe("a judge that cannot fail silently", () => {
  it("stops an audit whose judge answers in prose: exit 4, one escaped raw reply, what to change", async () => {
    const { configFile, runDir } = writeConfig(
      server.baseURL,
      `{ model: "openai-compatible:${server.baseURL}#fake-judge" }`,
    );
    const out = await runCli(["audit", configFile]);
    expect(out.code).toBe(4);
    expect(out.stderr).toMatch(/gave \d+ unparseable verdicts out of \d+ \(100%\)/);
    expect(out.stderr).toContain("judge.max_unparseable allows 5% once 50 verdicts exist");
    // The reply is quoted JSON-escaped: the terminal never receives the model's escape codes.
    expect(out.stderr).toContain(JSON.stringify(PROSE));
    expect(out.stderr).not.toContain("\u001b[31m");
    expect(out.stderr).toContain("What to change:");
    expect(out.stderr).toContain(`npx candor judge ${runDir} --retry-unparseable`);
    expect(out.stderr).not.toContain("Next: npx candor analyze");
    // It stopped early: verdicts so far are saved, the rest of the grid was not judged.
    const judged = count(runDir, "SELECT count(*) FROM judgments");
    expect(judged).toBeGreaterThanOrEqual(50);
    expect(judged).toBeLessThan(96);
    expect(count(runDir, "SELECT count(*) FROM judgments WHERE label != 'UNPARSEABLE'")).toBe(0);
  });

  it("falls back to json_object when the judge rejects json_schema with 400, records and shows the mode", async () => {
    const picky = await startOpenAIServer({
      reply: verdictJudge,
      reject: (req) => {
        const rf = req.response_format as { type?: string } | undefined;
        return rf?.type === "json_schema"
          ? { status: 400, message: "response_format json_schema is not supported by this server" }
          : undefined;
      },
    });
    try {
      const { configFile, runDir } = writeConfig(
        picky.baseURL,
        `{ model: "openai-compatible:${picky.baseURL}#fake-judge" }`,
        { n: 2 },
      );
      const out = await runCli(["audit", configFile]);
      expect(out.code).toBe(0);
      expect(out.stderr).toMatch(
        /ok +judge — \S+#fake-judge: structured output json_object \(endpoint rejected json_schema\)/,
      );
      expect(out.stdout).toContain("structured output: json_object");
      const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
      expect(summary.judgeStructured).toBe("json_object");
      expect(summary.totals).toMatchObject({
        trials: 64,
        judged: 64,
        unparseable: 0,
        judgeFailures: 0,
      });
      expect(count(runDir, "SELECT count(*) FROM failures")).toBe(0);
      const db = new Database(join(runDir, RUN_DB), { readonly: true });
      expect(
        db.prepare("SELECT value FROM meta WHERE key LIKE 'judge_structured:%'").pluck().get(),
      ).toBe("json_object");
      db.close();
    } finally {
      await picky.close();
    }
  });

  it("falls back to a prompt-only request when every response_format is rejected; a fixed mode fails the preflight instead", async () => {
    const plain = await startOpenAIServer({
      reply: verdictJudge,
      reject: (req) =>
        req.response_format !== undefined
          ? { status: 400, message: "response_format is not supported" }
          : undefined,
    });
    try {
      const auto = writeConfig(
        plain.baseURL,
        `{ model: "openai-compatible:${plain.baseURL}#fake-judge" }`,
        {
          n: 1,
        },
      );
      const result = await runAudit(auto.configFile);
      expect(result.summary.judgeStructured).toBe("prompt");
      expect(result.summary.totals.unparseable).toBe(0);

      const fixed = writeConfig(
        plain.baseURL,
        `{ model: "openai-compatible:${plain.baseURL}#fake-judge", structured: json_schema }`,
        { n: 1 },
      );
      const out = await runCli(["audit", fixed.configFile]);
      expect(out.code).toBe(5);
      expect(out.stderr).toContain("preflight failed");
      expect(out.stderr).toMatch(
        /FAILED +judge — \S+#fake-judge: rejected judge.structured: json_schema \(judge.structured: auto falls back to json_object, then prompt\): \S+: HTTP 400 .*response_format is not supported/,
      );
      expect(count(fixed.runDir, "SELECT count(*) FROM responses")).toBe(0);
      expect(count(fixed.runDir, "SELECT count(*) FROM failures")).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it("the warmth judge's rating falls back the same way when json_schema is rejected", async () => {
    const picky = await startOpenAIServer({
      reply: (req) =>
        req.model === "warmth-judge"
          ? JSON.stringify({ rationale: "plain", rating: 4 })
          : verdictJudge(req),
      reject: (req) =>
        req.model === "warmth-judge" &&
        (req.response_format as { type?: string } | undefined)?.type === "json_schema"
          ? { status: 400, message: "json_schema is not supported" }
          : undefined,
    });
    try {
      const warmthJudge = `openai-compatible:${picky.baseURL}#warmth-judge`;
      const { configFile, runDir } = writeConfig(
        picky.baseURL,
        `{ model: "openai-compatible:${picky.baseURL}#fake-judge" }`,
        { n: 1, extra: `warmth: { judge: { model: "${warmthJudge}" } }` },
      );
      const result = await runAudit(configFile);
      expect(result.summary.judgeStructured).toBe("json_schema");
      const db = new Database(join(runDir, RUN_DB), { readonly: true });
      try {
        expect(
          db
            .prepare("SELECT value FROM meta WHERE key = ?")
            .pluck()
            .get(`judge_structured:warmth:${warmthJudge}`),
        ).toBe("json_object");
        expect(
          db
            .prepare("SELECT count(*) FROM metrics WHERE metric = 'warmth.judge' AND value = 4")
            .pluck()
            .get(),
        ).toBe(32);
      } finally {
        db.close();
      }
    } finally {
      await picky.close();
    }
  });

  it("re-judges UNPARSEABLE verdicts with --retry-unparseable, keeping the old ones, and resumes a cut-short round", async () => {
    let fixed = false;
    const judgeServer = await startOpenAIServer({
      reply: (req) =>
        fixed && req.response_format
          ? JSON.stringify({ rationale: "ok", verdict: "CORRECT" })
          : scriptedReply(req),
    });
    try {
      const { configFile, dir } = writeAuditConfig(judgeServer.baseURL, { n: 3 });
      const runDir = join(dir, "run");
      const first = await runAudit(configFile);
      expect(first.summary.totals.unparseable).toBe(12);
      fixed = true;
      const out = await runCli(["judge", runDir, "--retry-unparseable"]);
      expect(out.code).toBe(0);
      expect(out.stderr).toContain("Re-judged 12 unparseable verdicts");
      expect(out.stdout).toContain("0 unparseable");
      expect(count(runDir, "SELECT count(*) FROM judgments WHERE label = 'UNPARSEABLE'")).toBe(0);
      expect(count(runDir, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(96);
      expect(
        count(
          runDir,
          "SELECT count(*) FROM judgments_replaced WHERE raw = 'I think it is probably fine?'",
        ),
      ).toBe(12);

      // A round cut short after releasing the verdicts resumes: nothing is released twice.
      fixed = false;
      const again = await runAudit(
        writeAuditConfig(judgeServer.baseURL, { n: 3, dir: tempDir("candor-retry-") }).configFile,
      );
      const runDir2 = again.runDir;
      fixed = true;
      const store = RunStore.open(join(runDir2, RUN_DB));
      const judge = again.summary.judge;
      expect(startUnparseableRetry(store, judge)).toEqual({ moved: 12, resumed: false });
      store.close(); // the process "crashed" here, before re-judging anything
      const before = judgeServer.stats.requests;
      const resumed = await judgeRun(runDir2, { retryUnparseable: true });
      expect(resumed.released).toEqual({ moved: 0, resumed: true });
      expect(resumed.summary.totals.unparseable).toBe(0);
      expect(judgeServer.stats.requests - before).toBe(12 + 1); // 12 verdicts + the judge's preflight
      expect(count(runDir2, "SELECT count(*) FROM judgments_replaced")).toBe(12);
      // The round is over: a new --retry-unparseable finds nothing left to release.
      const idle = await judgeRun(runDir2, { retryUnparseable: true });
      expect(idle.released).toEqual({ moved: 0, resumed: false });
    } finally {
      await judgeServer.close();
    }
  });

  it("warns on every surface when the judge is also a subject's model", async () => {
    const { configFile, runDir } = writeConfig(
      server.baseURL,
      // The subjects' own model (it answers in prose, so the unparseable check is off here).
      `{ model: "openai-compatible:${server.baseURL}/#fake-model", max_unparseable: 1 }`,
      { n: 1 },
    );
    const out = await runCli(["audit", configFile]);
    expect(out.code).toBe(0);
    const message =
      "Self-grading: the judge is also the model of subjects reference, warm; a model grading its own answers may favour them.";
    expect(out.stderr).toContain(`WARNING ${message}`);
    expect(out.stdout).toContain(`WARNING ${message}`);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary.selfGrading[0]).toMatchObject({
      role: "judge",
      subjects: ["reference", "warm"],
    });
    expect(summary.selfGrading[0].message).toContain(message);
    const report = await runCli(["report", runDir]);
    expect(report.code).toBe(0);
    const html = readFileSync(join(runDir, "report", "report.html"), "utf8");
    const md = readFileSync(join(runDir, "report", "report.md"), "utf8");
    expect(html).toContain(message);
    expect(md).toContain(mdText(message));
  });
});
