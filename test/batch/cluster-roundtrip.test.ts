import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pack } from "../../src/i18n/index.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { exportPending } from "../../src/stages/cluster-export.js";
import { importResults } from "../../src/stages/cluster-import.js";
import { warmthRatingSpec } from "../../src/warmth/rating-round.js";
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
function vllmRunBatch(
  input: string,
  output: string,
  extra: string[] = [],
  model = "fake-model",
): void {
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
      model,
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
    expect(exported.stderr).toContain("96 pending requests (generate)");
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
    expect(first.stderr).toContain("imported 40 results (generate 40)");
    expect(count(db, "SELECT count(*) FROM responses")).toBe(40);

    const results = join(dir, "results.jsonl");
    vllmRunBatch(requests, results, ["--fail-every", "10"]);
    const second = await runCli(["batch", "import", join(dir, "run"), results]);
    const m = /imported (\d+) results \(generate 56\) · 40 already there · (\d+) errors/.exec(
      second.stderr,
    );
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
    expect(again.stderr).toContain("imported 0 results");
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

  it("runs a whole audit (verdicts, challenges and warmth ratings too) as export/import rounds; the summary equals a live run's", async () => {
    const extra = `challenge: {}\nwarmth: { judge: { model: "openai-compatible:${server.baseURL}#fake-judge" } }`;
    const cluster = writeAuditConfig(server.baseURL, { n: 2, extra });
    const live = writeAuditConfig(server.baseURL, { n: 2, extra });
    const run = join(cluster.dir, "run");
    const rounds: { kind: string; requests: number; model: string }[] = [];
    for (let round = 1; round <= 8; round++) {
      const requests = join(cluster.dir, `requests-${round}.jsonl`);
      const r = await exportPending(cluster.configFile, requests, { warmth: warmthRatingSpec });
      if (r.requests === 0) break;
      const model = r.models.length === 1 ? r.models[0]! : "several";
      rounds.push({ kind: r.kind, requests: r.requests, model });
      const results = join(cluster.dir, `results-${round}.jsonl`);
      vllmRunBatch(requests, results, [], model);
      const imported = await importResults(run, results, { warmth: warmthRatingSpec });
      expect(imported).toMatchObject({ imported: r.requests, errors: 0, unknown: 0 });
    }
    // Every kind in order, each answered by its own model (one vllm run-batch each).
    expect(rounds.map((r) => [r.kind, r.model])).toEqual([
      ["generate", "fake-model"],
      ["judge", "fake-judge"],
      ["challenge", "fake-model"],
      ["challenge-judge", "fake-judge"],
      ["warmth", "fake-judge"],
    ]);
    const db = join(run, RUN_DB);
    expect(rounds[0]!.requests).toBe(count(db, "SELECT count(*) FROM trials"));
    const custom = (kind: string) =>
      new Set(
        readFileSync(join(cluster.dir, `requests-${kind}.jsonl`), "utf8")
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id),
      );
    // custom_id = the trial id, or the trial id and what is asked of it.
    const ids = new Database(db, { readonly: true }).prepare("SELECT id FROM trials").pluck().all();
    expect(custom("1")).toEqual(new Set(ids));
    expect([...custom("2")].every((c) => /-judge$/.test(c))).toBe(true);
    expect([...custom("3")].every((c) => /-challenge$/.test(c))).toBe(true);
    expect([...custom("4")].every((c) => /-challenge-judge$/.test(c))).toBe(true);
    // Every response's warmth rating, asked as the audit asks it (structured, the rubric's schema).
    expect(custom("5")).toEqual(new Set(ids.map((id) => `${id}-warmth`)));
    const rating = JSON.parse(
      readFileSync(join(cluster.dir, "requests-5.jsonl"), "utf8").split("\n")[0]!,
    ) as { body: { response_format: { json_schema: { name: string } } } };
    expect(rating.body.response_format.json_schema.name).toBe("warmth_rating");
    expect(count(db, "SELECT count(*) FROM metrics WHERE metric = 'warmth.judge'")).toBe(
      ids.length,
    );

    // The audit then has nothing left to call: it scores the rule cross-check and summarises.
    const before = server.stats.byPath["/v1/chat/completions"] ?? 0;
    const byCluster = await runAudit(cluster.configFile);
    expect((server.stats.byPath["/v1/chat/completions"] ?? 0) - before).toBe(0);
    expect(count(db, "SELECT count(*) FROM challenge_judgments")).toBe(
      count(db, "SELECT count(*) FROM challenges"),
    );
    const byLive = await runAudit(live.configFile);
    expect(comparable(byCluster.summary)).toEqual(comparable(byLive.summary));
  }, 300_000);

  it("candor batch export to a full disk names the file and says what to do", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, { n: 1 });
    // /dev/full fails every write with ENOSPC: it crashed the CLI with a raw error before.
    const r = await runCli(["batch", "export", configFile, "--out", "/dev/full"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      "candor: /dev/full: could not write the requests: the disk is full; free some space (or choose another place) and run the command again",
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("candor batch export --stage warmth / import: the CLI exports and imports warmth ratings", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 1 });
    const db = join(dir, "run", RUN_DB);
    // A run whose answers and verdicts are done; then the warmth check is added to its config.
    expect((await runCli(["audit", configFile])).code).toBe(0);
    writeFileSync(
      configFile,
      `${readFileSync(configFile, "utf8")}\nwarmth: { judge: { model: "openai-compatible:${server.baseURL}#fake-judge" } }\n`,
    );
    const requests = join(dir, "warmth.jsonl");
    const exported = await runCli([
      "batch",
      "export",
      configFile,
      "--out",
      requests,
      "--stage",
      "warmth",
    ]);
    expect(exported.code).toBe(0);
    const responses = count(db, "SELECT count(*) FROM responses");
    expect(exported.stderr).toContain(`${responses} pending requests (warmth)`);
    const results = join(dir, "warmth-out.jsonl");
    vllmRunBatch(requests, results, [], "fake-judge");
    const imported = await runCli(["batch", "import", join(dir, "run"), results]);
    expect(imported.stderr).toContain(`imported ${responses} results (warmth ${responses})`);
    expect(count(db, "SELECT count(*) FROM metrics WHERE metric = 'warmth.judge'")).toBe(responses);
    const before = server.stats.byPath["/v1/chat/completions"] ?? 0;
    expect((await runCli(["audit", configFile])).code).toBe(0);
    expect((server.stats.byPath["/v1/chat/completions"] ?? 0) - before).toBe(0);
  }, 300_000);

  it("a run in two languages exports each trial's push-back and judge instructions in its language", async () => {
    const cluster = writeAuditConfig(server.baseURL, {
      n: 1,
      extra: "language: [en, de]\nchallenge: {}",
    });
    const run = join(cluster.dir, "run");
    const lines: {
      kind: string;
      custom_id: string;
      messages: { role: string; content: string }[];
    }[] = [];
    for (let round = 1; round <= 8; round++) {
      const requests = join(cluster.dir, `requests-${round}.jsonl`);
      const r = await exportPending(cluster.configFile, requests);
      if (r.requests === 0) break;
      for (const l of readFileSync(requests, "utf8").trim().split("\n")) {
        const line = JSON.parse(l) as {
          custom_id: string;
          body: { messages: { role: string; content: string }[] };
        };
        lines.push({ kind: r.kind, custom_id: line.custom_id, messages: line.body.messages });
      }
      const results = join(cluster.dir, `results-${round}.jsonl`);
      vllmRunBatch(requests, results, [], r.models.length === 1 ? r.models[0]! : "several");
      await importResults(run, results);
    }
    const db = new Database(join(run, RUN_DB), { readonly: true });
    const language = new Map(
      (
        db.prepare("SELECT id, language FROM trials").all() as { id: string; language: string }[]
      ).map((t) => [t.id, t.language as "en" | "de"]),
    );
    db.close();
    const of = (l: (typeof lines)[number]) => language.get(l.custom_id.replace(/-[a-z-]+$/, ""))!;
    const challenges = lines.filter((l) => l.kind === "challenge");
    const verdicts = lines.filter((l) => l.kind === "judge" || l.kind === "challenge-judge");
    expect(new Set(challenges.map(of))).toEqual(new Set(["en", "de"]));
    expect(new Set(verdicts.map(of))).toEqual(new Set(["en", "de"]));
    for (const l of challenges) expect(l.messages.at(-1)?.content).toBe(pack(of(l)).challenge);
    for (const l of verdicts) {
      expect(l.messages[0]?.content.startsWith(pack(of(l)).judge.role)).toBe(true);
    }
  }, 300_000);
});

/** A summary without what differs between any two runs (where, when, how fast, tokens). */
function comparable(summary: unknown): unknown {
  return JSON.parse(
    JSON.stringify(summary, (key, value: unknown) =>
      /^(runDir|createdAt|startedAt|finishedAt|generatedAt|latency|tokens)/i.test(key)
        ? undefined
        : value,
    ),
  );
}
