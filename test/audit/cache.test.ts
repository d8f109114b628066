import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheKey } from "../../src/engine/response-cache.js";
import { runAudit } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("response cache", () => {
  it("answers a second run of the same design from the cache, without model calls", async () => {
    const cacheDir = tempDir("candor-cache-");
    const extra = `cache: { dir: "${cacheDir}" }`;
    const first = await runAudit(writeAuditConfig(server.baseURL, { n: 2, extra }).configFile);
    expect(first.progress.generate.cacheHits).toBe(0);
    const before = server.stats.requests;
    const second = await runAudit(writeAuditConfig(server.baseURL, { n: 2, extra }).configFile);
    expect(server.stats.requests).toBe(before);
    expect(second.progress.generate.cacheHits).toBe(64);
    expect(second.progress.judge.cacheHits).toBe(64);
    expect(second.summary.cells).toEqual(first.summary.cells);
    expect(existsSync(join(cacheDir, "responses.sqlite"))).toBe(true);
  });

  it("keys on what changes the answer, not on keys, timeouts or credentials in URLs", () => {
    const base = {
      model: "openai:gpt-4o",
      messages: [{ role: "user" as const, content: "hi" }],
      params: { temperature: 0.8 },
      sample: 0,
    };
    expect(cacheKey(base)).toBe(cacheKey({ ...base }));
    expect(cacheKey({ ...base, sample: 1 })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, params: { temperature: 0.2 } })).not.toBe(cacheKey(base));
    const url = "openai-compatible:http://127.0.0.1:8000/v1#m";
    expect(cacheKey({ ...base, model: url.replace("http://", "http://user:secret@") })).toBe(
      cacheKey({ ...base, model: url }),
    );
  });
});
