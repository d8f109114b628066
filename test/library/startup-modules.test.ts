/**
 * What a `candor` process loads: the provider SDKs, the viewer's web stack and the Parquet
 * reader are loaded on first use (src/providers/sdk.ts), so a command that needs none of them
 * does not pay for them at start-up, and an audit against an OpenAI-compatible server never
 * loads Anthropic's SDK. Module URLs are recorded by a resolve hook (test/helpers/module-trace.mjs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { repoRoot, tempDir } from "../helpers/paths.js";

const TRACE_HOOK = join(repoRoot, "test/helpers/module-trace.mjs");

/** Runs the compiled CLI with the trace hook; resolves to the packages it loaded. */
async function packagesLoaded(
  args: string[],
): Promise<{ code: number | null; packages: Set<string> }> {
  const trace = join(tempDir("candor-trace-"), "modules.txt");
  const r = await runCli(args, {
    nodeArgs: ["--import", TRACE_HOOK],
    env: { CANDOR_MODULE_TRACE: trace },
  });
  expect(r.code, r.stderr).toBe(0);
  const urls = readFileSync(trace, "utf8").split("\n").filter(Boolean);
  const packages = new Set(
    urls.flatMap((u) => {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
      return m ? [m[1]!] : [];
    }),
  );
  return { code: r.code, packages };
}

const LAZY = ["openai", "@anthropic-ai/sdk", "hono", "@hono/node-server", "hyparquet"];

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server?.close();
});

describe("start-up loads only what the command uses", () => {
  it("--version and plan load no provider SDK, web stack or Parquet reader", async () => {
    const version = await packagesLoaded(["--version"]);
    expect(version.code).toBe(0);
    // The trace works: the CLI's own dependencies are there.
    expect(version.packages).toContain("commander");
    for (const p of LAZY) expect(version.packages, p).not.toContain(p);

    const { configFile } = writeAuditConfig(server.baseURL, { n: 1 });
    const plan = await packagesLoaded(["plan", configFile]);
    expect(plan.code).toBe(0);
    for (const p of LAZY) expect(plan.packages, p).not.toContain(p);
  });

  it("an audit of OpenAI-compatible endpoints loads openai and never Anthropic's SDK", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, { n: 1 });
    const audit = await packagesLoaded(["audit", configFile]);
    expect(audit.code).toBe(0);
    expect(audit.packages).toContain("openai");
    expect(audit.packages).not.toContain("@anthropic-ai/sdk");
    expect(audit.packages).not.toContain("hono");
  });
});
