import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { RUN_DB } from "../../src/stages/audit.js";
import { scriptedReply } from "../helpers/audit-fixtures.js";
import { writeBatchConfig } from "../helpers/batch-config.js";
import {
  auditKilledWhen,
  count,
  BATCH_KEY_ENV as env,
  BATCH_TRIALS as trials,
  useBatchServer,
} from "../helpers/batch-test.js";
import { runCli } from "../helpers/cli.js";

const servers = useBatchServer();
const allSubmitted = (db: string) =>
  count(db, "SELECT sum(requests) FROM batch_jobs WHERE state = 'submitted'") >= trials;

describe("batch resume", () => {
  it("SIGKILL between submit and completion: the same command polls the same batches, nothing resubmitted", async () => {
    const server = await servers.start({ reply: scriptedReply, hold: true });
    // Kill once every generation request is in a submitted batch (recorded in the store).
    const { configFile, db } = await auditKilledWhen(server, allSubmitted);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(0);
    const submittedBefore = server.stats.batches;
    expect(server.stats.linesByModel["gpt-fake"]).toBe(trials);

    server.options.hold = false;
    const rerun = await runCli(["audit", configFile], { env });
    expect(rerun.stderr).not.toContain("Error");
    expect(rerun.code).toBe(0);
    // Generation was not sent again: the re-run read the earlier batches' results.
    expect(server.stats.linesByModel["gpt-fake"]).toBe(trials);
    expect(server.stats.linesByModel["gpt-judge"]).toBe(trials);
    expect(server.stats.batches).toBe(submittedBefore + 1);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    // The run judge's verdicts; the rule cross-check (rule#v1) also grades TriviaQA.
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
    expect(rerun.stderr).toMatch(/batch .*requests \d+\/\d+ · errors 0/);
  }, 300_000);

  it("SIGKILL after the provider accepted a batch but before candor learned its id: found by its tag, not sent again", async () => {
    const server = await servers.start({ reply: scriptedReply, stallCreate: true });
    // The provider has the generation batch; candor is still waiting for the create's answer.
    const { configFile, db } = await auditKilledWhen(server, () => server.stats.batches >= 1);
    expect(server.stats.batches).toBe(1);
    expect(server.stats.linesByModel["gpt-fake"]).toBe(trials);
    // Recorded before it was sent, without the provider's id.
    expect(
      count(db, "SELECT count(*) FROM batch_jobs WHERE remote_id IS NULL AND state = 'preparing'"),
    ).toBe(1);

    server.options.stallCreate = false;
    const rerun = await runCli(["audit", configFile], { env });
    expect(rerun.stderr).not.toContain("Error");
    expect(rerun.code).toBe(0);
    // The re-run listed the account's batches, found its own by metadata and polled it.
    expect(server.stats.byPath["GET /v1/batches"]).toBeGreaterThan(0);
    expect(server.stats.linesByModel["gpt-fake"]).toBe(trials);
    expect(count(db, "SELECT count(*) FROM batch_jobs WHERE remote_id IS NULL")).toBe(0);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
  }, 300_000);

  it("anthropic: SIGKILL before candor learned a batch's id: the batch whose results are exactly its requests is adopted, a look-alike is not", async () => {
    const server = await servers.start({ reply: scriptedReply, stallCreate: true });
    const { configFile, db } = await auditKilledWhen(server, () => server.stats.batches >= 1, {
      provider: "anthropic",
    });
    expect(server.stats.linesByModel["claude-fake"]).toBe(trials);
    // A newer batch of another client in the same workspace: same request count, every
    // custom_id but one the same as ours. Looked at first (newest first), and refused.
    const ours = new Database(db, { readonly: true })
      .prepare("SELECT custom_id FROM batch_requests")
      .pluck()
      .all() as string[];
    const foreign = ["someone-else", ...ours.slice(1)].map((custom_id) => ({
      custom_id,
      params: {
        model: "claude-other",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      },
    }));
    server.options.stallCreate = false;
    const posted = await fetch(`${server.origin}/v1/messages/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests: foreign }),
    });
    expect(posted.status).toBe(200);
    expect(server.stats.batches).toBe(2);

    const rerun = await runCli(["audit", configFile], { env });
    expect(rerun.stderr).not.toContain("Error");
    expect(rerun.code).toBe(0);
    expect(server.stats.byPath["GET /v1/messages/batches"]).toBeGreaterThan(0);
    // Generation was not sent again, and every stored answer is the subject model's own.
    expect(server.stats.linesByModel["claude-fake"]).toBe(trials);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM responses WHERE served_model = 'claude-other'")).toBe(0);
    expect(count(db, "SELECT count(*) FROM batch_jobs WHERE remote_id IS NULL")).toBe(0);
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
  }, 300_000);

  it("anthropic: a lost batch with no matching batch at the provider is sent again", async () => {
    const server = await servers.start({ reply: scriptedReply });
    const { configFile, dir } = writeBatchConfig(server, "anthropic");
    const db = join(dir, "run", RUN_DB);
    expect((await runCli(["audit", configFile], { env })).code).toBe(0);
    // As a run killed before its upload leaves it, while another client's batch of the same
    // size (one request) was created since: a candidate whose results are not ours.
    const store = new Database(db);
    const trial = store.prepare("SELECT id FROM trials LIMIT 1").pluck().get() as string;
    store.prepare("DELETE FROM judgments WHERE trial_id = ?").run(trial);
    store.prepare("DELETE FROM responses WHERE trial_id = ?").run(trial);
    store
      .prepare(
        "INSERT INTO batch_jobs (id, ref, state, requests, created_at) VALUES ('r.generate.lost', 'anthropic:claude-fake', 'preparing', 1, ?)",
      )
      .run(new Date().toISOString());
    store
      .prepare(
        "INSERT INTO batch_requests (batch_id, custom_id, state) VALUES ('r.generate.lost', ?, 'pending')",
      )
      .run(trial);
    store.close();
    const posted = await fetch(`${server.origin}/v1/messages/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        requests: [
          {
            custom_id: "someone-else",
            params: {
              model: "claude-other",
              max_tokens: 10,
              messages: [{ role: "user", content: "hi" }],
            },
          },
        ],
      }),
    });
    expect(posted.status).toBe(200);
    const before = server.stats.linesByModel["claude-fake"] ?? 0;
    const again = await runCli(["audit", configFile], { env });
    expect(again.code).toBe(0);
    expect(
      count(
        db,
        "SELECT count(*) FROM batch_jobs WHERE id = 'r.generate.lost' AND state = 'abandoned'",
      ),
    ).toBe(1);
    // Its one request went in a new batch and was answered.
    expect(server.stats.linesByModel["claude-fake"]).toBe(before + 1);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
  }, 300_000);

  it("a batch recorded but never received by the provider is marked abandoned, not polled", async () => {
    const server = await servers.start({ reply: scriptedReply });
    const { configFile, dir } = writeBatchConfig(server, "openai");
    const db = join(dir, "run", RUN_DB);
    const first = await runCli(["audit", configFile], { env });
    expect(first.code).toBe(0);
    // As a run killed before its upload leaves it: recorded, the provider has no batch tagged so.
    const store = new Database(db);
    store
      .prepare(
        "INSERT INTO batch_jobs (id, ref, state, requests, created_at) VALUES ('r.generate.lost', 'openai:gpt-fake', 'preparing', 1, '2026-01-01')",
      )
      .run();
    store.close();
    const before = server.stats.batches;
    const again = await runCli(["audit", configFile], { env });
    expect(again.code).toBe(0);
    expect(server.stats.batches).toBe(before);
    expect(
      count(
        db,
        "SELECT count(*) FROM batch_jobs WHERE id = 'r.generate.lost' AND state = 'abandoned'",
      ),
    ).toBe(1);
  }, 300_000);

  it("a run killed under the per-request scheme (custom_id = content key) still resumes without resubmitting", async () => {
    const server = await servers.start({ reply: scriptedReply, hold: true });
    // `cache:` keeps an audit on the per-request path, which names requests by content key.
    const { configFile, db } = await auditKilledWhen(server, allSubmitted, {
      extra: "cache: { dir: cache }",
    });
    expect(
      count(db, "SELECT count(*) FROM batch_requests b JOIN trials t ON t.id = b.custom_id"),
    ).toBe(0);

    // The same audit without the cache: rounds wait until the old batches are read back.
    writeFileSync(
      configFile,
      readFileSync(configFile, "utf8").replace("cache: { dir: cache }", ""),
    );
    server.options.hold = false;
    const rerun = await runCli(["audit", configFile], { env });
    expect(rerun.stderr).not.toContain("Error");
    expect(rerun.code).toBe(0);
    expect(server.stats.linesByModel["gpt-fake"]).toBe(trials);
    expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
  }, 300_000);
});
