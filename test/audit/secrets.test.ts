import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

const SECRET = "sk-test-Zq8v1XyY2mN0pL9kJ7hG";
let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply, apiKey: SECRET });
});
afterAll(async () => {
  await server.close();
});

describe("secrets", () => {
  it("are sent to the server but never reach the store, the summary or the output", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, {
      n: 1,
      extra: "providers: { openai-compatible: { api_key_env: CANDOR_TEST_KEY } }",
    });
    const ok = await runCli(["audit", configFile], { env: { CANDOR_TEST_KEY: SECRET } });
    expect(ok.code).toBe(0);
    const files = readdirSync(join(dir, "run")).map((f) => join(dir, "run", f));
    for (const f of files) expect(readFileSync(f).includes(SECRET), f).toBe(false);
    expect(ok.stdout + ok.stderr).not.toContain(SECRET);

    // A wrong key: the error names the variable, never the value.
    const wrong = "sk-wrong-ABCDEFGHIJKLMNOP";
    const { configFile: other } = writeAuditConfig(server.baseURL, {
      n: 1,
      extra:
        "providers: { openai-compatible: { api_key_env: CANDOR_TEST_KEY } }\nretry: { max_attempts: 1 }".replace(
          "\nretry: { max_attempts: 1 }",
          "",
        ),
    });
    const denied = await runCli(["audit", other], { env: { CANDOR_TEST_KEY: wrong } });
    expect(denied.code).not.toBe(0);
    expect(denied.stdout + denied.stderr).toContain("CANDOR_TEST_KEY");
    expect(denied.stdout + denied.stderr).not.toContain(wrong);
  });
});
