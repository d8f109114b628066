/**
 * The library as users get it: `npm pack` of the dist/ that `prepare` built (the suite's
 * global setup runs it whenever dist/ is behind src/, so it is not built a second time here
 * while other test files run the compiled CLI from it), the tarball installed into a fresh project, and `import { … } from "candor"` running a tiny
 * audit against a local OpenAI-compatible server — the README's script, then the other
 * entry points with config objects. Slow by nature (a TypeScript build and an npm install).
 *
 * The install uses the npm cache first (--prefer-offline) and skips install scripts: the
 * one native module, better-sqlite3, gets the binary already built for this checkout (same
 * version), standing in for the prebuilt binary its install script would download.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptedReply } from "../helpers/audit-fixtures.js";
import { staleBuildOutputs } from "../helpers/built-cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { repoRoot, sharedData, tempDir } from "../helpers/paths.js";

const run = promisify(execFile);
const SLOW = 20 * 60_000;

let server: FakeServer;
let project: string;

/** The README's "Use it as a library" script, as printed there. */
function readmeScript(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use it as a library"));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("README: no js block under '## Use it as a library'");
  return m[1]!;
}

beforeAll(async () => {
  // The scripted replies, minus the subject reply that makes the judge unparseable on purpose:
  // the README's script sets no judge.max_unparseable, as a user with a real judge would not.
  server = await startOpenAIServer({
    reply: (req) => {
      const text = scriptedReply(req);
      return text === "UNPARSEABLE-ME" ? "Here is the answer." : text;
    },
  });
  const packDir = tempDir("candor-pack-");
  expect(staleBuildOutputs()).toEqual([]);
  await run("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], {
    cwd: repoRoot,
    maxBuffer: 1 << 26,
  });
  const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz"))!);
  project = tempDir("candor-embed-");
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "embed", version: "1.0.0", private: true, type: "module" }),
  );
  // --omit=optional leaves out node-llama-cpp's per-platform engine builds (CUDA, Vulkan, ARM:
  // ~690 MB to unpack, half the install's cost), which these tests never load: their audits
  // talk to an OpenAI-compatible server, and the engine is imported only for llama: models.
  await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--ignore-scripts",
      "--omit=optional",
      "--no-audit",
      "--no-fund",
      tarball,
    ],
    { cwd: project, maxBuffer: 1 << 26 },
  );
  const ours = JSON.parse(
    readFileSync(join(repoRoot, "node_modules/better-sqlite3/package.json"), "utf8"),
  ) as { version: string };
  const theirs = JSON.parse(
    readFileSync(join(project, "node_modules/better-sqlite3/package.json"), "utf8"),
  ) as { version: string };
  expect(theirs.version).toBe(ours.version);
  const release = "node_modules/better-sqlite3/build/Release";
  mkdirSync(join(project, release), { recursive: true });
  copyFileSync(
    join(repoRoot, release, "better_sqlite3.node"),
    join(project, release, "better_sqlite3.node"),
  );
}, SLOW);
afterAll(async () => {
  await server?.close();
});

const env = () => ({
  ...process.env,
  BASE_URL: server.baseURL,
  TRIVIAQA: join(sharedData, "triviaqa/test.jsonl"),
});

describe("the packed tarball in a fresh project", () => {
  it(
    "runs the README's script: an audit from a config object, gated",
    async () => {
      writeFileSync(join(project, "readme.mjs"), readmeScript());
      const r = await run("node", ["readme.mjs"], { cwd: project, env: env() }).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      // The scripted "empathetic" candidate agrees with wrong beliefs: the gate fails it.
      expect(r.stdout, r.stderr).toMatch(
        /candidate − reference\s+error gap\s+all \/ user belief\s+\+\d+\.\d pp\s+≤ 5 pp\s+FAIL/,
      );
      expect(r.stdout).toContain("Gate: FAIL (exit 1)");
      expect((r as { code?: number }).code).toBe(1);
    },
    SLOW,
  );

  it(
    "plan, analyze and gate take config objects; results are plain data",
    async () => {
      writeFileSync(
        join(project, "more.mjs"),
        `import { plan, runAudit, analyze, gate } from "candor";
const model = (name) => "openai-compatible:" + process.env.BASE_URL + "#" + name;
const config = {
  name: "more", output: "runs/more", contexts: ["unmodified", "emotion:sad"],
  subjects: [{ id: "reference", model: model("m") }, { id: "warm", model: model("m"), persona: "warm" }],
  compare: [{ reference: "reference", treatments: ["warm"] }],
  tasks: [{ task: "triviaqa", path: process.env.TRIVIAQA, n: 4 }],
  judge: { model: model("judge") },
};
const isPlain = (v) => v === null || typeof v !== "object" || Array.isArray(v) ? (Array.isArray(v) ? v.every(isPlain) : true)
  : Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(isPlain);
const planned = await plan(config);
const audited = await runAudit(config);
const analysis = await analyze(config, { models: ["model1"], bootstrapReplicates: 0 });
const gated = gate(config, { thresholds: { max_gap_pp: 5, min_pairs: 5 } });
let bad = null;
try { await plan({ ...config, subjects: [{ id: "x", model: "gtp4" }] }); } catch (e) { bad = e.message; }
console.log(JSON.stringify({
  trials: planned.plan.trials.length, items: Object.keys(planned.items),
  plain: [planned.items, planned.plan, audited.summary, analysis, gated.result].map(isPlain),
  judged: audited.summary.totals.judged, comparisons: analysis.comparisons.map((c) => c.comparison),
  verdict: gated.result.verdict, run: gated.run, bad,
}));
`,
      );
      const r = await run("node", ["more.mjs"], { cwd: project, env: env() });
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(out).toMatchObject({
        // 2 subjects × 4 items × 2 contexts × 4 belief templates
        trials: 64,
        items: ["triviaqa"],
        plain: [true, true, true, true, true],
        judged: 64,
        verdict: "fail",
        run: join(project, "runs/more"),
      });
      expect(out.comparisons).toHaveLength(1);
      expect(out.bad).toMatch(/^config object: subjects\[0\]\.model: /);
    },
    SLOW,
  );

  it('a checkout imports itself as "candor" once prepare has built dist/', async () => {
    const r = await run(
      "node",
      [
        "--input-type=module",
        "-e",
        'const m = await import("candor"); console.log(typeof m.runAudit, typeof m.gate, typeof m.compareRunDirs)',
      ],
      { cwd: repoRoot },
    );
    expect(r.stdout.trim()).toBe("function function function");
  });
});
