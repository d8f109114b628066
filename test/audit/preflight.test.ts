import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { EndpointUnusableError } from "../../src/stages/stop-errors.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { countIn } from "../helpers/run-db.js";

const count = (runDir: string, sql: string) => countIn(join(runDir, RUN_DB), sql);

/** A port nothing listens on: a server's, after it closed. */
async function deadPort(): Promise<string> {
  const s = await startOpenAIServer();
  await s.close();
  return s.baseURL;
}

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("preflight: every endpoint answers before the first trial", () => {
  it("ends an audit whose judge is on a dead port, naming it (credentials redacted), with nothing recorded", async () => {
    const dead = await deadPort();
    const { configFile, dir } = writeAuditConfig(server.baseURL, {
      judgeURL: dead.replace("http://", "http://user:s3cret@"),
    });
    const before = server.stats.requests;
    const out = await runCli(["audit", configFile]);
    expect(out.code).toBe(5);
    expect(out.stderr).toContain(
      "preflight failed: 1 of 2 endpoints cannot be used, so no trial was run (nothing recorded as a trial failure).",
    );
    expect(out.stderr).toContain(
      `FAILED   judge: openai-compatible:${dead}#fake-judge: connection failed (ECONNREFUSED)`,
    );
    expect(out.stderr).toContain(`npx candor plan ${configFile} --check`);
    expect(out.stderr).not.toContain("s3cret");
    // Only the subjects' preflight call reached the live server; no trial ran or failed.
    expect(server.stats.requests - before).toBe(1);
    const runDir = join(dir, "run");
    expect(count(runDir, "SELECT count(*) FROM responses")).toBe(0);
    expect(count(runDir, "SELECT count(*) FROM failures")).toBe(0);
  });

  it("candor plan --check runs the same preflight and records nothing", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL);
    const ok = await runCli(["plan", configFile, "--check"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("Preflight:");
    expect(ok.stdout).toContain(
      `ok       subject reference, subject warm — openai-compatible:${server.baseURL}#fake-model`,
    );
    expect(ok.stdout).toContain(
      `ok       judge — openai-compatible:${server.baseURL}#fake-judge: structured output json_schema`,
    );
    expect(existsSync(join(dir, "run"))).toBe(false);

    const dead = await deadPort();
    const broken = writeAuditConfig(server.baseURL, { judgeURL: dead });
    const failed = await runCli(["plan", broken.configFile, "--check"]);
    expect(failed.code).toBe(5);
    expect(failed.stdout).toContain(
      `FAILED   judge: openai-compatible:${dead}#fake-judge: connection failed`,
    );
    expect(failed.stderr).toContain("preflight failed");
  });

  it("stops a run whose judge goes away mid-run, keeps what was done, and resumes once it is back", async () => {
    let judged = 0;
    let judge: FakeServer | undefined;
    const judgeReply = (req: Parameters<typeof scriptedReply>[0]) => {
      judged++;
      // The judge's server dies after its 20th answer (connections dropped, port closed).
      if (judged === 20) setImmediate(() => void judge?.close());
      return scriptedReply(req);
    };
    judge = await startOpenAIServer({ reply: judgeReply });
    const port = Number(new URL(judge.baseURL).port);
    const { configFile, dir } = writeAuditConfig(server.baseURL, { judgeURL: judge.baseURL });
    const runDir = join(dir, "run");
    const stopped = await runAudit(configFile).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(stopped).toBeInstanceOf(EndpointUnusableError);
    expect((stopped as Error).message).toMatch(
      /#fake-judge: unreachable on 3 calls in a row \(\d+ attempts each\)\nStopped: every further call would fail the same way/,
    );
    const verdicts = count(runDir, "SELECT count(*) FROM judgments");
    expect(verdicts).toBeGreaterThanOrEqual(19);
    expect(verdicts).toBeLessThan(96);
    // At most the two calls before the third in a row are recorded as trial failures.
    expect(count(runDir, "SELECT count(*) FROM failures")).toBeLessThanOrEqual(2);

    judge = await startOpenAIServer({ reply: scriptedReply }, port);
    try {
      const resumed = await runAudit(configFile);
      expect(resumed.summary.totals).toMatchObject({ trials: 96, judged: 96 });
    } finally {
      await judge.close();
    }
  });
});
