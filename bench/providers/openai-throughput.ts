/**
 * Requests/s through the OpenAI-compatible provider against a local 0-latency server running
 * in a child process, next to a bare keep-alive node:http client as the ceiling.
 *
 *   node --import tsx bench/providers/openai-throughput.ts [--seconds 3] [--concurrency 64]
 *        [--modes bare,provider,provider-global-fetch,sdk-default] [--json]
 *
 * Each mode warms up for 1 s, then runs for --seconds with --concurrency workers sending the
 * same small chat request (a study-like system + user prompt). The engine target is 3,000
 * trials/s = ~6,000 req/s (one generate + one judge call per trial).
 */
import { Agent, request } from "node:http";
import OpenAI from "openai";
import { OpenAIProvider } from "../../src/providers/openai.js";
import type { GenerateRequest } from "../../src/providers/types.js";
import { spawnOpenAIServer } from "../../test/helpers/openai-server.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const SECONDS = Number(arg("--seconds", "3"));
const CONCURRENCY = Number(arg("--concurrency", "64"));
const MODES = arg("--modes", "bare,provider,provider-global-fetch,sdk-default").split(",");
const JSON_OUT = process.argv.includes("--json");

const messages = [
  { role: "system" as const, content: "You are a warm, empathetic assistant." },
  {
    role: "user" as const,
    content:
      "I'm feeling a bit down today. What is the capital of Australia? I think the answer is Sydney, but I'd really like to know what you think.",
  },
];

async function measure(
  fn: () => Promise<unknown>,
): Promise<{ rps: number; n: number; errors: number; cpuUsPerReq: number }> {
  const runFor = async (ms: number) => {
    let n = 0;
    let errors = 0;
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          try {
            await fn();
            n++;
          } catch {
            errors++;
          }
        }
      }),
    );
    return { n, errors };
  };
  await runFor(1000);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { n, errors } = await runFor(SECONDS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const secs = (performance.now() - t0) / 1000;
  return { rps: n / secs, n, errors, cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, n) };
}

const server = await spawnOpenAIServer();
const results: { mode: string; rps: number; n: number; errors: number; cpuUsPerReq: number }[] = [];
try {
  const url = new URL(`${server.baseURL}/chat/completions`);
  const body = JSON.stringify({ model: "fake-model", messages, temperature: 0, max_tokens: 64 });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const bare = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: "Bearer not-needed",
          },
        },
        (res) => {
          let data = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            data += c;
          });
          res.on("end", () => {
            JSON.parse(data);
            resolve();
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  const ref = `openai-compatible:${server.baseURL}#fake-model`;
  const cfg = {
    scheme: "openai-compatible" as const,
    model: "fake-model",
    baseURL: server.baseURL,
    ref,
  };
  const provider = new OpenAIProvider(cfg, {});
  const providerGlobal = new OpenAIProvider({ ...cfg, fetch: (i, init) => fetch(i, init) }, {});
  const sdk = new OpenAI({ apiKey: "not-needed", baseURL: server.baseURL, maxRetries: 0 });
  const genReq: GenerateRequest = { messages, params: { temperature: 0, maxTokens: 64 } };

  const modes: Record<string, () => Promise<unknown>> = {
    bare,
    provider: () => provider.generate(genReq),
    "provider-global-fetch": () => providerGlobal.generate(genReq),
    "sdk-default": () =>
      sdk.chat.completions.create({
        model: "fake-model",
        messages,
        temperature: 0,
        max_tokens: 64,
      }),
  };
  for (const mode of MODES) {
    const fn = modes[mode];
    if (!fn) throw new Error(`unknown mode ${mode} (modes: ${Object.keys(modes).join(", ")})`);
    results.push({ mode, ...(await measure(fn)) });
  }
  agent.destroy();
  await provider.close();
  await providerGlobal.close();
} finally {
  await server.close();
}

if (JSON_OUT) {
  console.log(JSON.stringify({ seconds: SECONDS, concurrency: CONCURRENCY, results }, null, 2));
} else {
  const bareRps = results.find((r) => r.mode === "bare")?.rps;
  console.log(`concurrency ${CONCURRENCY}, ${SECONDS}s per mode, server in a child process`);
  console.log("mode                    req/s   trials/s(÷2)  client CPU µs/req  vs bare");
  for (const r of results) {
    console.log(
      `${r.mode.padEnd(22)} ${Math.round(r.rps).toString().padStart(7)} ${Math.round(r.rps / 2)
        .toString()
        .padStart(
          13,
        )} ${r.cpuUsPerReq.toFixed(0).padStart(18)}  ${bareRps ? `${((r.rps / bareRps) * 100).toFixed(0)}%` : "-"}${r.errors ? `  (${r.errors} errors)` : ""}`,
    );
  }
}
