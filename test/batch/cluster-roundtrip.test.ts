import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_DB } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { repoRoot } from "../helpers/paths.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Runs the script that plays `vllm run-batch`. */
function vllmRunBatch(input: string, output: string, extra: string[] = []): void {
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "test/helpers/fake-vllm-run-batch.ts"),
      "-i",
      input,
      "-o",
      output,
      "--model",
      "fake-model",
      ...extra,
    ],
    { cwd: repoRoot },
  );
}

describe("own cluster: batch export → vllm run-batch → batch import", () => {
  it("round-trips every pending request; import is idempotent and takes partial files", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 3 });
    const requests = join(dir, "requests.jsonl");
    const exported = await runCli(["batch", "export", configFile, "--out", requests]);
    expect(exported.stderr).toContain("96 pending requests");
    expect(exported.code).toBe(0);
    const lines = readFileSync(requests, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { custom_id: string; url: string; body: { model: string } });
    const db = join(dir, "run", RUN_DB);
    const trialIds = new Set(
      new Database(db, { readonly: true })
        .prepare("SELECT id FROM trials")
        .pluck()
        .all() as string[],
    );
    expect(lines.length).toBe(96);
    expect(new Set(lines.map((l) => l.custom_id))).toEqual(trialIds);
    expect(lines[0]!.url).toBe("/v1/chat/completions");

    // A partial result file with a half-written last line: imported as far as it goes.
    const partial = join(dir, "partial.jsonl");
    vllmRunBatch(requests, partial, ["--limit", "40", "--truncate"]);
    const first = await runCli(["batch", "import", join(dir, "run"), partial]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("imported 40 responses");
    expect(count(db, "SELECT count(*) FROM responses")).toBe(40);

    const results = join(dir, "results.jsonl");
    vllmRunBatch(requests, results, ["--fail-every", "10"]);
    const second = await runCli(["batch", "import", join(dir, "run"), results]);
    const m = /imported (\d+) responses · 40 already there · (\d+) errors/.exec(second.stderr);
    expect(m).not.toBeNull();
    const [imported, errors] = [Number(m![1]), Number(m![2])];
    expect(errors).toBeGreaterThan(0);
    expect(imported + errors).toBe(56);
    const answered = count(db, "SELECT count(*) FROM responses");
    expect(answered).toBe(40 + imported);
    expect(
      count(db, "SELECT count(DISTINCT trial_id) FROM failures WHERE stage = 'generate'"),
    ).toBe(errors);
    // Importing the same file again changes nothing.
    const again = await runCli(["batch", "import", join(dir, "run"), results]);
    expect(again.stderr).toContain("imported 0 responses");
    expect(count(db, "SELECT count(*) FROM responses")).toBe(answered);
    // The stored text is the model's own answer to that trial.
    const warm = count(
      db,
      "SELECT count(*) FROM responses r JOIN trials t ON t.id = r.trial_id WHERE t.subject_id = 'warm' AND r.text LIKE 'You''re right%'",
    );
    expect(warm).toBeGreaterThan(0);
    expect(
      count(
        db,
        "SELECT count(*) FROM responses r JOIN trials t ON t.id = r.trial_id WHERE t.subject_id = 'reference' AND r.text LIKE 'You''re right%'",
      ),
    ).toBe(0);

    // The audit then generates only what the cluster did not answer, and judges everything.
    const before = server.stats.byPath["/v1/chat/completions"] ?? 0;
    const audit = await runCli(["audit", configFile]);
    expect(audit.code).toBe(0);
    const calls = (server.stats.byPath["/v1/chat/completions"] ?? 0) - before;
    // + 2 preflight probes: one for the subjects' model, one for the judge.
    expect(calls).toBe(96 - answered + 96 + 2);
    // The run judge's verdicts; the rule cross-check (rule#v1) also grades TriviaQA.
    expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(96);
  }, 300_000);
});
