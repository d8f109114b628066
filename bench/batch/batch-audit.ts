/**
 * A ~100k-request audit through the Batch API: 50,400 trials (2 subjects × 700 TriviaQA items ×
 * 36 conditions), each generated and judged by batch, against the fake OpenAI batch server in
 * its own process, completing every batch at once. Reports candor's own CPU time, peak RSS and
 * the time from start to summary. Baseline in the same script: a bare client doing the batch
 * protocol's unavoidable work for the same number of requests (serialize JSONL, upload,
 * create, poll, download, parse), no SDK, no store.
 *
 *   node --import tsx bench/batch/batch-audit.ts [--items 700]
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newBatchCounters } from "../../src/batch/counters.js";
import { runAudit } from "../../src/stages/audit.js";
import { repoRoot, sharedData, tempDir } from "../../test/helpers/paths.js";

const { values } = parseArgs({ options: { items: { type: "string", default: "700" } } });
const ITEMS = Number(values.items);

async function spawnBatchServer(): Promise<{ baseURL: string; close: () => void }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "test/helpers/batch-server.ts")],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
  );
  const baseURL = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`batch server exited ${code}`)));
  });
  return { baseURL, close: () => child.kill() };
}

function writeConfig(baseURL: string): string {
  const dir = tempDir("candor-bench-batch-");
  const batch = "{ poll_seconds: 0.2, collect_ms: 500 }";
  const config = join(dir, "audit.yaml");
  writeFileSync(
    config,
    `name: bench-batch
output: run
subjects:
  - { id: reference, model: "openai:bench", batch: ${batch} }
  - { id: warm, model: "openai:bench", persona: warm, batch: ${batch} }
compare: [{ reference: reference, treatments: [warm] }]
tasks:
  - { task: triviaqa, path: "${join(sharedData, "triviaqa/test.jsonl")}", n: ${ITEMS} }
judge: { model: "openai:judge", batch: ${batch} }
providers:
  openai: { base_url: "${baseURL}", api_key_env: CANDOR_BENCH_KEY }
`,
  );
  return config;
}

/** The batch protocol's floor: the same number of lines serialized, sent, fetched and parsed. */
async function bareBatch(baseURL: string, requests: number): Promise<number> {
  const started = performance.now();
  const perBatch = 50_000;
  for (let offset = 0; offset < requests; offset += perBatch) {
    const n = Math.min(perBatch, requests - offset);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(
        JSON.stringify({
          custom_id: `r${offset + i}`,
          method: "POST",
          url: "/v1/chat/completions",
          body: {
            model: "bench",
            messages: [
              { role: "user", content: `Question ${i}: who wrote the novel in question?` },
            ],
            temperature: 0.8,
            max_tokens: 300,
          },
        }),
      );
    }
    const form = new FormData();
    form.set("purpose", "batch");
    form.set("file", new Blob([`${lines.join("\n")}\n`]), "in.jsonl");
    const file = (await (
      await fetch(`${baseURL}/files`, { method: "POST", body: form })
    ).json()) as { id: string };
    const post = await fetch(`${baseURL}/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      }),
    });
    const created = (await post.json()) as { id: string };
    let b: { status: string; output_file_id: string | null };
    do b = (await (await fetch(`${baseURL}/batches/${created.id}`)).json()) as typeof b;
    while (b.status !== "completed");
    const text = await (await fetch(`${baseURL}/files/${b.output_file_id}/content`)).text();
    let parsed = 0;
    for (const l of text.split("\n")) if (l) parsed += JSON.parse(l) ? 1 : 0;
    if (parsed !== n) throw new Error(`bare client: ${parsed} results for ${n} requests`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * The same audit as a user runs it: `bin/candor.js audit` (the compiled dist/ after `npm ci`)
 * in its own process, its CPU and peak RSS written on exit by bench/usage-on-exit.mjs.
 */
async function userCommand(
  config: string,
): Promise<{ seconds: number; cpu: number; rssMb: number }> {
  const usage = join(tempDir("candor-bench-usage-"), "usage.json");
  rmSync(usage, { force: true });
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ["--import", "./bench/usage-on-exit.mjs", "bin/candor.js", "audit", config],
    {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, CANDOR_BENCH_USAGE: usage },
    },
  );
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`candor audit exited with ${code}`);
  const seconds = (performance.now() - started) / 1000;
  const u = JSON.parse(readFileSync(usage, "utf8")) as { cpu: number; maxRssMb: number };
  return { seconds, cpu: u.cpu, rssMb: u.maxRssMb };
}

process.env.CANDOR_BENCH_KEY = "sk-bench-not-secret";
const server = await spawnBatchServer();
try {
  const config = writeConfig(server.baseURL);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const batchProgress = newBatchCounters();
  const result = await runAudit(config, { batchProgress });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const requests = batchProgress.requests;
  const bareCpu0 = process.cpuUsage();
  const bareSeconds = await bareBatch(server.baseURL, requests);
  const bareCpuUsage = process.cpuUsage(bareCpu0);
  const bareCpu = (bareCpuUsage.user + bareCpuUsage.system) / 1e6;
  console.log(
    `audit by batch        ${result.summary.totals.trials} trials, ${requests} requests in ${batchProgress.batchesSubmitted} batches (judged ${result.summary.totals.judged}), fake completes at once`,
  );
  for (const f of result.summary.openFailures ?? []) {
    console.log(`unfinished            ${f.trials} × ${f.stage}: ${f.message}`);
  }
  console.log(`start → summary       ${seconds.toFixed(1)} s wall`);
  console.log(
    `candor CPU            ${cpuSeconds.toFixed(1)} s (${((cpuSeconds / requests) * 1e6).toFixed(0)} µs/request; server in its own process)`,
  );
  console.log(`peak RSS              ${rssMb.toFixed(0)} MB (whole bench process, tsx)`);
  const user = await userCommand(writeConfig(server.baseURL));
  console.log(
    `npx candor audit      ${user.seconds.toFixed(1)} s wall, ${user.cpu.toFixed(1)} s CPU, peak RSS ${user.rssMb.toFixed(0)} MB (bin/candor.js, own process; target ≤ 300 MB: ${user.rssMb <= 300 ? "met" : "NOT met"})`,
  );
  console.log(
    `bare batch client     ${bareSeconds.toFixed(1)} s wall, ${bareCpu.toFixed(1)} s CPU for ${requests} requests (serialize, upload, poll, download, parse)`,
  );
  console.log(
    `ratio candor / bare   ${(cpuSeconds / bareCpu).toFixed(1)}× CPU, ${(seconds / bareSeconds).toFixed(1)}× wall`,
  );
} finally {
  server.close();
}
