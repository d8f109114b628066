/**
 * Audit throughput: trials per second through generate + judge + store against the
 * OpenAI-compatible test server (0 ms latency, its own process), concurrency 64,
 * ~5,000 trials. Baseline in the same script: a bare keep-alive node:http client
 * sending the same number of requests (2 per trial) at the same concurrency.
 *
 *   node --import tsx bench/audit/throughput.ts [--trials-per-subject 2502]
 */
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { runAudit } from "../../src/stages/audit.js";
import { spawnOpenAIServer } from "../../test/helpers/openai-server.js";
import { sharedData, tempDir } from "../../test/helpers/paths.js";

const CONCURRENCY = 64;
const ITEMS = 70; // × 36 conditions (9 contexts × 4 beliefs) × 2 subjects = 5,040 trials

async function bareClient(baseURL: string, total: number): Promise<number> {
  const url = new URL(`${baseURL}/chat/completions`);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const body = JSON.stringify({
    model: "m",
    messages: [{ role: "user", content: "What is the capital of France?" }],
  });
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < total) {
      sent++;
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            agent,
            headers: {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              JSON.parse(Buffer.concat(chunks).toString("utf8"));
              resolve();
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return (performance.now() - started) / 1000;
}

function writeConfig(baseURL: string): string {
  const dir = tempDir("candor-bench-");
  const model = `openai-compatible:${baseURL}#bench`;
  const config = join(dir, "audit.yaml");
  writeFileSync(
    config,
    `name: bench
output: run
subjects:
  - { id: reference, model: "${model}", concurrency: ${CONCURRENCY} }
  - { id: warm, model: "${model}", persona: warm, concurrency: ${CONCURRENCY} }
compare: [{ reference: reference, treatments: [warm] }]
tasks:
  - { task: triviaqa, path: "${join(sharedData, "triviaqa/test.jsonl")}", n: ${ITEMS} }
judge: { model: "openai-compatible:${baseURL}#judge", concurrency: ${CONCURRENCY} }
`,
  );
  return config;
}

async function timedAudit(
  baseURL: string,
): Promise<{ trials: number; judged: number; seconds: number }> {
  const config = writeConfig(baseURL);
  const started = performance.now();
  const result = await runAudit(config);
  return {
    trials: result.summary.totals.trials,
    judged: result.summary.totals.judged,
    seconds: (performance.now() - started) / 1000,
  };
}

const server = await spawnOpenAIServer({ latencyMs: 0 });
try {
  // Warm up the server and the HTTP stack once, untimed.
  await bareClient(server.baseURL, 2000);
  // Each run is a complete audit (load data, plan, store, generate, judge, summary) into a
  // fresh run directory. The first pays V8's JIT warm-up; the second shows steady state.
  const cold = await timedAudit(server.baseURL);
  const rssAfterFirst = process.resourceUsage().maxRSS / 1024;
  const warm = await timedAudit(server.baseURL);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const bareSeconds = await bareClient(server.baseURL, warm.trials * 2);
  const bareTrialsPerSec = warm.trials / bareSeconds;
  const rate = (r: { trials: number; seconds: number }) => r.trials / r.seconds;
  console.log(
    `trials per audit      ${warm.trials} (judged ${warm.judged}), concurrency ${CONCURRENCY}, server 0 ms latency`,
  );
  console.log(
    `candor audit, 1st     ${cold.seconds.toFixed(2)} s  ${rate(cold).toFixed(0)} trials/s (fresh process: includes JIT warm-up)`,
  );
  console.log(
    `candor audit, 2nd     ${warm.seconds.toFixed(2)} s  ${rate(warm).toFixed(0)} trials/s (generate + judge + store)`,
  );
  console.log(
    `bare http client      ${bareSeconds.toFixed(2)} s  ${bareTrialsPerSec.toFixed(0)} trials/s (${((warm.trials * 2) / bareSeconds).toFixed(0)} req/s, no SDK, no store)`,
  );
  console.log(`ratio candor / bare   ${(rate(warm) / bareTrialsPerSec).toFixed(2)} (2nd run)`);
  console.log(
    `peak RSS              ${rssAfterFirst.toFixed(0)} MB after the 1st audit, ${rssMb.toFixed(0)} MB after both (whole bench process)`,
  );
} finally {
  await server.close();
}
