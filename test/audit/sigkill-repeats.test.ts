/**
 * "Never repeating finished work", checked with a server that counts how often each trial's
 * question was answered: after SIGKILLs the re-runs may repeat only calls that were still in
 * flight when the process died, never one whose answer had already come back.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_DB } from "../../src/stages/audit.js";
import { PROBE_MESSAGE } from "../../src/stages/preflight.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli, startCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { countWhileWriting } from "../helpers/run-db.js";

/** Answers per generation request (same subject model + same messages = same trial). */
const answered = new Map<string, number>();
let judgeCalls = 0;
let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({
    latencyMs: 2,
    reply: (req) => {
      const last = req.messages.at(-1)?.content ?? "";
      // The preflight's probes (one per endpoint per run with work left) are not trials.
      if (
        last === PROBE_MESSAGE ||
        /What is 2 \+ 2\?[\s\S]*<response>\n4\n<\/response>/.test(last)
      ) {
        return scriptedReply(req);
      }
      if (req.model === "fake-judge") judgeCalls++;
      else {
        const key = JSON.stringify(req.messages);
        answered.set(key, (answered.get(key) ?? 0) + 1);
      }
      return scriptedReply(req);
    },
  });
});
afterAll(async () => {
  await server.close();
});

const count = countWhileWriting;

const CONCURRENCY = 2;

describe("SIGKILL repeats at most the calls in flight", () => {
  it("two kills, then a clean finish: repeated calls ≤ kills × in-flight", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, {
      n: 6,
      extra: `providers: { openai-compatible: { concurrency: ${CONCURRENCY} } }`,
    });
    const db = join(dir, "run", RUN_DB);
    const kills = [40, 110];
    const answers = () => [...answered.values()].reduce((a, b) => a + b, 0);
    for (const at of kills) {
      const { child, done } = startCli(["audit", configFile]);
      // Killed when the server has answered enough, wherever the client's writes stand (waiting
      // on the store's row count would kill right after a commit and hide lost results).
      while (answers() < at) {
        await new Promise((r) => setTimeout(r, 1));
      }
      child.kill("SIGKILL");
      expect((await done).signal).toBe("SIGKILL");
    }
    const last = await runCli(["audit", configFile]);
    expect(last.code).toBe(0);

    const trials = count(db, "SELECT count(*) FROM trials");
    expect(trials).toBe(2 * 6 * 2 * 2 * 4);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
    // Every trial's question was asked; generation requests of identical messages are the same
    // trial asked again.
    const generationCalls = [...answered.values()].reduce((a, b) => a + b, 0);
    const distinct = answered.size;
    expect(distinct).toBe(trials);
    const repeated = generationCalls - distinct;
    // In flight when a kill lands: the trials the run queue holds, at most twice the endpoint's
    // concurrency (a call that returned frees its slot before its result's commit, one turn of
    // the event loop later).
    const inFlight = 2 * CONCURRENCY;
    expect(repeated, "repeated generation calls").toBeLessThanOrEqual(kills.length * inFlight);
    // The judge's endpoint too: beyond one verdict per trial, only those in flight.
    expect(judgeCalls - trials, "repeated judge calls").toBeLessThanOrEqual(
      kills.length * inFlight,
    );
    // Three CLI processes start here (tsx transpiles each): room for a loaded machine.
  }, 180_000);
});
