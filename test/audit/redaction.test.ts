/**
 * Credentials in a model URL (`http://user:PASS@host/v1`, `?api_key=…`) never reach anything
 * candor writes or prints: the run store and its WAL, summary.json, stdout/stderr of plan,
 * audit and summary, report.html/md, every export, and the viewer's pages and API.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactModelRef } from "../../src/redact.js";
import { RunStore } from "../../src/store/run-store.js";
import { createViewer } from "../../src/viewer/app.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { runCommand } from "../report/cli-inprocess.js";

const PASSWORD = "Hunter2Pa55word";
const QUERY_SECRET = "QsEcReT0987654321";
let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

/** Every file under a directory, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function leaks(text: string | Buffer): boolean {
  const s = text.toString();
  return s.includes(PASSWORD) || s.includes(QUERY_SECRET) || s.includes("alice:");
}

describe("redaction of model references", () => {
  it("removes userinfo and secret query parameters, and nothing else", () => {
    expect(redactModelRef("openai-compatible:http://alice:p@ss@h:8000/v1#m")).toBe(
      "openai-compatible:http://h:8000/v1#m",
    );
    expect(
      redactModelRef("openai-compatible:https://h/v1?api_key=x&region=eu&access_token=y#m/n"),
    ).toBe("openai-compatible:https://h/v1?region=eu#m/n");
    expect(redactModelRef("openai-compatible:https://h/v1?sig=1#m")).toBe(
      "openai-compatible:https://h/v1#m",
    );
    // Ids without secrets are unchanged, so existing runs keep their judge ids.
    for (const ref of [
      "openai:gpt-4o-2024-08-06",
      "openai-compatible:http://127.0.0.1:8000/v1#meta-llama/Llama-3.1-8B-Instruct",
      "llama:hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M",
      "openai-compatible:http://h/v1?region=eu#m#rubric-3",
    ]) {
      expect(redactModelRef(ref)).toBe(ref);
    }
  });

  it("no output of plan, audit, summary, report, export or the viewer holds them", async () => {
    const secretURL = server.baseURL.replace("http://", `http://alice:${PASSWORD}@`);
    const { configFile, dir } = writeAuditConfig(secretURL, { n: 1 });
    const outputs: string[] = [];
    const cli = async (...args: string[]) => {
      const r = await runCli(args);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    // plan also sees a secret query parameter (plan calls no model).
    const planConfig = join(dir, "plan.yaml");
    writeFileSync(
      planConfig,
      readFileSync(configFile, "utf8").replaceAll(
        `${secretURL}#fake-`,
        `${server.baseURL}?api_key=${QUERY_SECRET}&v=1#fake-`,
      ),
    );
    expect((await cli("plan", planConfig)).code).toBe(0);
    expect(outputs.join("")).toContain("?v=1#fake-model");

    expect((await cli("audit", configFile)).code).toBe(0);
    const run = join(dir, "run");
    expect((await cli("summary", run)).code).toBe(0);
    expect((await cli("summary", run, "--json")).code).toBe(0);
    for (const args of [
      ["report", run, "--out", join(dir, "report")],
      ["export", run, "--format", "jsonl"],
      ["export", run, "--format", "csv"],
      ["export", run, "--format", "csv", "--layout", "study", "--out", join(dir, "study")],
    ]) {
      const r = await runCommand(...args);
      outputs.push(r.stdout, r.stderr);
    }

    const viewer = createViewer(join(run, "run.sqlite"), { pageSize: 10 });
    try {
      const get = async (path: string) => {
        const res = await viewer.app.request(`http://127.0.0.1${path}`);
        expect(res.status, path).toBe(200);
        return res.text();
      };
      outputs.push(await get("/"), await get("/api/facets"));
      const list = await get("/api/trials?");
      outputs.push(list);
      const id = (JSON.parse(list) as { rows: { id: string }[] }).rows[0]?.id;
      expect(id).toBeDefined();
      outputs.push(await get(`/trial/${id}`), await get(`/api/trial/${id}`));
    } finally {
      viewer.close();
    }

    // The redacted reference is what is shown instead.
    const store = RunStore.open(join(run, "run.sqlite"), { readonly: true });
    expect(store.subjects().map((s) => s.model)).toEqual([
      `openai-compatible:${server.baseURL}#fake-model`,
      `openai-compatible:${server.baseURL}#fake-model`,
    ]);
    store.close();

    for (const out of outputs) expect(leaks(out), out.slice(0, 300)).toBe(false);
    const written = files(dir).filter((f) => !f.endsWith(".yaml"));
    expect(written.some((f) => f.endsWith("run.sqlite"))).toBe(true);
    expect(written.some((f) => f.endsWith("report.html"))).toBe(true);
    for (const f of written) expect(leaks(readFileSync(f)), f).toBe(false);
  }, 180_000);
});
