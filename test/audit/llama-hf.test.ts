import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeOn, triviaqaTask, writeAuditYaml } from "../helpers/audit-config.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/paths.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

const gguf = buildTinyGguf();
let hub: Server;
let endpoint: string;

beforeAll(async () => {
  // A stand-in for the Hugging Face hub: the file listing and the file itself, in chunks.
  hub = createServer((req, res) => {
    if (req.url === "/api/models/acme/tiny-GGUF") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ id: "acme/tiny-GGUF", siblings: [{ rfilename: "tiny-Q8_0.gguf" }] }),
      );
      return;
    }
    if (req.url === "/acme/tiny-GGUF/resolve/main/tiny-Q8_0.gguf") {
      res.writeHead(200, { "content-length": String(gguf.length) });
      for (let i = 0; i < gguf.length; i += 32 * 1024) res.write(gguf.subarray(i, i + 32 * 1024));
      res.end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => hub.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => hub.close(() => r()));
});

describe("candor audit with a llama:hf: model", () => {
  it("downloads the GGUF once with progress, then runs on it; offline gives the URL and the way out", async () => {
    const dir = tempDir("candor-hf-");
    const model = "llama:hf:acme/tiny-GGUF:Q8_0";
    const { configFile: config } = writeAuditYaml({
      dir,
      name: "hf",
      model,
      subjects: [{ id: "reference" }],
      tasks: [triviaqaTask(1)],
      beliefs: ["original"],
      judge: judgeOn(model, ", params: { max_tokens: 24 }"),
      retry: null,
      extra: "params: { max_tokens: 4 }\nproviders: { llama: { context_size: 2048, threads: 1 } }",
    });
    const env = {
      HF_ENDPOINT: endpoint,
      CANDOR_CACHE_DIR: join(dir, "cache"),
      XDG_CACHE_HOME: join(dir, "xdg"),
    };
    const first = await runCli(["audit", config], { env });
    expect(first.stderr).toMatch(/downloading tiny-Q8_0\.gguf: [\d.]+ of [\d.]+ MB/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("1 trials · 1 responses · 1 judged");
    expect(existsSync(join(dir, "cache", "models", "acme", "tiny-GGUF", "tiny-Q8_0.gguf"))).toBe(
      true,
    );
    // The run records which model bytes it loaded.
    const db = new Database(join(dir, "run", "run.sqlite"), { readonly: true });
    const modelFiles = JSON.parse(
      db.prepare("SELECT value FROM meta WHERE key = 'model_files'").pluck().get() as string,
    ) as unknown;
    db.close();
    expect(modelFiles).toEqual([
      {
        ref: model,
        url: `${endpoint}/acme/tiny-GGUF/resolve/main/tiny-Q8_0.gguf`,
        sha256: createHash("sha256").update(gguf).digest("hex"),
        bytes: gguf.length,
        // The config sets threads (one: a second thread on a busy machine makes this test slow)
        // and not sequences: those are chosen by a calibration, cached under the candor cache dir.
        engine: expect.objectContaining({
          threads: 1,
          threadsFrom: "config",
          sequencesFrom: "calibration",
          calibration: "measured",
        }),
      },
    ]);
    expect(existsSync(join(dir, "cache", "models", "llama-calibration.json"))).toBe(true);

    const offline = await runCli(["audit", config], {
      env: {
        ...env,
        HF_ENDPOINT: "http://127.0.0.1:9",
        CANDOR_CACHE_DIR: join(dir, "empty"),
        XDG_CACHE_HOME: join(dir, "empty"),
      },
    });
    expect(offline.code).not.toBe(0);
    expect(offline.stderr).toContain("http://127.0.0.1:9/api/models/acme/tiny-GGUF");
    expect(offline.stderr).toContain("llama:./path/to/file.gguf");
  });
});
