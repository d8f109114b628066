import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_DB } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli, startCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { countWhileWriting } from "../helpers/run-db.js";

let server: FakeServer;
beforeAll(async () => {
  // Slow enough that the audit is still generating when it is killed.
  server = await startOpenAIServer({ reply: scriptedReply, latencyMs: 40 });
});
afterAll(async () => {
  await server.close();
});

const count = countWhileWriting;

describe("crash safety", () => {
  it("survives SIGKILL mid-generation: the re-run finishes, nothing lost or done twice", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 20 });
    const db = join(dir, "run", RUN_DB);
    const { child, done } = startCli(["audit", configFile]);
    // Kill once some (but not all) responses are durable.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && count(db, "SELECT count(*) FROM responses") < 40) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const trials = count(db, "SELECT count(*) FROM trials");
    const responsesAtCrash = count(db, "SELECT count(*) FROM responses");
    // The LLM judge's verdicts; the rule cross-check (judge rule#v1) is counted in rule-check.test.ts.
    const judgedAtCrash = count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'");
    expect(trials).toBe(2 * 20 * 2 * 2 * 4);
    expect(responsesAtCrash).toBeGreaterThanOrEqual(40);
    expect(responsesAtCrash).toBeLessThan(trials);
    // Requests the killed process sent but the server had not read yet would otherwise be
    // counted against the re-run: wait until the server has closed all of its connections.
    while ((await server.openConnections()) > 0) await new Promise((r) => setTimeout(r, 20));

    const before = server.stats.byPath["/v1/chat/completions"] ?? 0;
    const rerun = await runCli(["audit", configFile]);
    expect(rerun.code).toBe(0);
    const calls = (server.stats.byPath["/v1/chat/completions"] ?? 0) - before;
    // Exactly the missing work: one call per missing response, one per missing verdict,
    // and the preflight's one call per endpoint (the subjects' model, the judge).
    expect(calls).toBe(trials - responsesAtCrash + (trials - judgedAtCrash) + 2);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(DISTINCT trial_id) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
    expect(
      count(db, "SELECT max(n) FROM (SELECT count(*) n FROM judgments GROUP BY trial_id, judge)"),
    ).toBe(1);
    expect(rerun.stdout).toContain("Treatment − reference");
    expect(rerun.stderr).toContain(`Next: npx candor analyze ${join(dir, "run")}`);
  });

  it("refuses a second audit on a busy run, stops cleanly on Ctrl+C, and resumes", async () => {
    // After the first 30 answers the server holds every reply until the test lets go, so the
    // first audit is certainly still working when the second one starts, however fast or
    // loaded the machine is (the test waits on states, never on time).
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let answered = 0;
    const slow = await startOpenAIServer({
      reply: async (req) => {
        if (++answered > 30) await held;
        return scriptedReply(req);
      },
    });
    const { configFile, dir } = writeAuditConfig(slow.baseURL, { n: 20 });
    const db = join(dir, "run", RUN_DB);
    const { child, done } = startCli(["audit", configFile]);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && count(db, "SELECT count(*) FROM responses") < 5) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // A second audit on the same run is refused while the first is working.
    const second = await runCli(["audit", configFile]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another candor process \(pid \d+\) is working on this run/);
    child.kill("SIGINT");
    const stopped = await done;
    release();
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Resume with: npx candor audit ${configFile}`);
    const trials = count(db, "SELECT count(*) FROM trials");
    expect(count(db, "SELECT count(*) FROM responses")).toBeLessThan(trials);
    // In-flight requests were cancelled, not recorded as failures.
    expect(count(db, "SELECT count(*) FROM failures")).toBe(0);
    const resumed = await runCli(["audit", configFile]);
    await slow.close();
    expect(resumed.code).toBe(0);
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
    expect(existsSync(join(dir, "run", "run.lock"))).toBe(false);
  }, 240_000);
});
