import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CandorError } from "../../src/errors.js";
import { lockSchema, verifyModels } from "../../src/stages/source-lock.js";
import { judgeOn, writeAuditYaml } from "../helpers/audit-config.js";
import { runCli } from "../helpers/cli.js";
import { type HubServer, startHubServer } from "../helpers/hub-server.js";
import { sharedData, tempDir } from "../helpers/paths.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const COMMIT_DATA = "a".repeat(40);
const COMMIT_MODEL = "b".repeat(40);

const trivia = readFileSync(join(sharedData, "triviaqa/test.jsonl"), "utf8")
  .trim()
  .split("\n")
  .slice(0, 20)
  .join("\n");
const gguf = buildTinyGguf();

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer();
  hub.route("/datasets/acme/trivia/resolve/main/valid.jsonl", {
    body: trivia,
    headers: { "x-repo-commit": COMMIT_DATA },
  });
  hub.route("/api/models/acme/tiny-GGUF", {
    body: JSON.stringify({ id: "acme/tiny-GGUF", siblings: [{ rfilename: "tiny-Q8_0.gguf" }] }),
    headers: { "content-type": "application/json" },
  });
  hub.route("/acme/tiny-GGUF/resolve/main/tiny-Q8_0.gguf", {
    body: gguf,
    headers: { "x-repo-commit": COMMIT_MODEL },
  });
});
afterAll(() => hub.close());

/** An audit with a reference on a dead port, one more local subject (not compared) and `task`. */
function config(dir: string, task: string, local: string): string {
  return writeAuditYaml({
    dir,
    name: "locked",
    output: null,
    model: "openai-compatible:http://127.0.0.1:9/v1#m",
    subjects: [{ id: "reference" }, { id: "local", model: local }],
    compare: false,
    tasks: [task],
    judge: judgeOn("openai-compatible:http://127.0.0.1:9/v1#j"),
    retry: null,
  }).configFile;
}

describe("candor lock", () => {
  it("records local datasets and model files, then stops plan when a file changes", async () => {
    const dir = tempDir("candor-lock-");
    writeFileSync(join(dir, "trivia.jsonl"), trivia);
    writeFileSync(join(dir, "tiny.gguf"), gguf);
    const configFile = config(
      dir,
      "{ task: triviaqa, path: trivia.jsonl }",
      `llama:${join(dir, "tiny.gguf")}`,
    );
    const out = await runCli(["lock", configFile]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      `Wrote ${configFile}.lock.json: 1 dataset files (1 tasks), 1 model files.`,
    );
    const lock = lockSchema.parse(JSON.parse(readFileSync(`${configFile}.lock.json`, "utf8")));
    expect(lock.datasets).toEqual([
      {
        task: "triviaqa",
        files: [{ path: "trivia.jsonl", sha256: sha(trivia), bytes: Buffer.byteLength(trivia) }],
      },
    ]);
    expect(lock.models).toEqual([
      { ref: `llama:${join(dir, "tiny.gguf")}`, sha256: sha(gguf), bytes: gguf.length },
    ]);

    expect((await runCli(["plan", configFile])).code).toBe(0);
    appendFileSync(join(dir, "trivia.jsonl"), "\n");
    const changed = await runCli(["plan", configFile]);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain(
      `${configFile}.lock.json: task triviaqa: ${join(dir, "trivia.jsonl")} changed`,
    );
    expect(changed.stderr).toContain(sha(trivia));
    expect(changed.stderr).toContain(sha(`${trivia}\n`));

    // Re-locking accepts the new bytes.
    expect((await runCli(["lock", configFile])).stdout).toContain("Updated");
    expect((await runCli(["plan", configFile])).code).toBe(0);
  });

  it("resolves hub datasets and llama:hf: models to a commit and sha256", async () => {
    const dir = tempDir("candor-lock-hub-");
    const configFile = config(
      dir,
      "{ task: triviaqa, hub: { id: acme/trivia, file: valid.jsonl } }",
      "llama:hf:acme/tiny-GGUF:Q8_0",
    );
    const env = { ...process.env, HF_ENDPOINT: hub.url, CANDOR_CACHE_DIR: join(dir, "cache") };
    const out = await runCli(["lock", configFile], { env });
    expect(out.code).toBe(0);
    const lock = lockSchema.parse(JSON.parse(readFileSync(`${configFile}.lock.json`, "utf8")));
    expect(lock.datasets[0]!.files).toEqual([
      {
        url: `${hub.url}/datasets/acme/trivia/resolve/main/valid.jsonl`,
        commit: COMMIT_DATA,
        sha256: sha(trivia),
        bytes: Buffer.byteLength(trivia),
      },
    ]);
    expect(lock.models).toEqual([
      {
        ref: "llama:hf:acme/tiny-GGUF:Q8_0",
        url: `${hub.url}/acme/tiny-GGUF/resolve/main/tiny-Q8_0.gguf`,
        commit: COMMIT_MODEL,
        sha256: sha(gguf),
        bytes: gguf.length,
      },
    ]);
  });

  it("refuses a model whose bytes differ from the lock, naming both hashes", () => {
    const lock = {
      version: 1 as const,
      created_at: "2026-12-03T00:00:00Z",
      datasets: [],
      models: [{ ref: "llama:./m.gguf", sha256: "1".repeat(64), bytes: 10 }],
    };
    const loaded = { ref: "llama:./m.gguf", path: "/x/m.gguf", sha256: "2".repeat(64), bytes: 10 };
    expect(() => verifyModels("a.yaml.lock.json", lock, [loaded])).toThrow(CandorError);
    expect(() => verifyModels("a.yaml.lock.json", lock, [loaded])).toThrow(
      `a.yaml.lock.json: model llama:./m.gguf (/x/m.gguf) changed: sha256 ${"2".repeat(64)} now, ${"1".repeat(64)} in the lock file.`,
    );
    expect(() =>
      verifyModels("a.yaml.lock.json", lock, [{ ...loaded, sha256: "1".repeat(64) }]),
    ).not.toThrow();
  });
});
