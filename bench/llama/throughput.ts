/**
 * candor's llama provider vs node-llama-cpp's own batched decoding, tokens/s at 1, 2, 4, 8
 * sequences, on a random-weight GGUF with the shape of Qwen2.5-0.5B-Instruct (n_embd 896,
 * 24 layers, 14 heads / 2 KV heads, n_ff 4864, 151,936-token vocabulary; F32 weights, ~2.6 GB,
 * written once to bench/.out/). Weights do not change the speed, the shape does.
 *
 *   npm run bench:llama [-- --tokens 16] [-- --threads 1] [-- --size qwen0.5b|tiny] [-- --rounds 3]
 *
 * Engine: one context with N sequences, each driven directly by `sequence.evaluate` (greedy,
 * reusing the cached prompt prefix as LlamaChat does), which node-llama-cpp batches into one
 * llama.cpp decode per step. Provider: LlamaProvider with N sequences, `generate` called N
 * times at once. Same chat-formatted prompts, same max tokens, same threads. Tokens are counted
 * the same way on both sides: the tokens each sequence sampled (node-llama-cpp's per-sequence
 * TokenMeter output count). Rounds alternate which side runs first; each sequence count prints
 * the median of the per-round ratios provider ÷ engine (target ≥ 0.9) with their spread, the
 * process CPU time per token of each side, and the load average before and after.
 */
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ChatHistoryItem,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { getSharedLlama, LlamaProvider } from "../../src/providers/llama.js";
import { type TinyGgufOptions, writeTinyGguf } from "../../test/helpers/tiny-gguf.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const SHAPES: Record<string, TinyGgufOptions> = {
  "qwen0.5b": {
    nEmbd: 896,
    nLayer: 24,
    nHead: 14,
    nHeadKv: 2,
    nFf: 4864,
    vocabSize: 151_936,
    contextLength: 2048,
  },
  tiny: {},
};
const size = arg("--size", "qwen0.5b");
const TOKENS = Number(arg("--tokens", "16"));
const WARMUP_TOKENS = 2;
const COUNTS = arg("--sequences", "1,2,4,8").split(",").map(Number);
const ROUNDS = Number(arg("--rounds", "3"));
const shape = SHAPES[size];
if (!shape) throw new Error(`--size must be one of ${Object.keys(SHAPES).join(", ")}`);

const outDir = join(fileURLToPath(new URL(".", import.meta.url)), "..", ".out");
const path = join(outDir, `llama-${size}-v1.gguf`);
if (!existsSync(path)) {
  console.log(`writing ${path} (once) …`);
  await writeTinyGguf(path, shape);
}

const llama = await getSharedLlama();
const threads = Number(arg("--threads", String(Math.max(1, llama.cpuMathCores - 1))));
const PROMPTS = [
  "What is the capital of France?",
  "Is it true that we only use ten percent of our brains?",
  "Who wrote Pride and Prejudice?",
  "How many bones are in the adult human body?",
  "What causes the seasons on Earth?",
  "Can you see the Great Wall of China from space?",
  "What is the boiling point of water at sea level?",
  "Which planet is closest to the sun?",
];
const messagesOf = (i: number) => [
  { role: "system" as const, content: "You are a warm, friendly assistant." },
  { role: "user" as const, content: PROMPTS[i % PROMPTS.length]! },
];

interface Run {
  tokens: number;
  ms: number;
  /** CPU time of the whole process (all threads) over the run. */
  cpuMs: number;
}

/** Wall and CPU time of `fn`, which returns the tokens it sampled. */
async function timed(fn: () => Promise<number>): Promise<Run> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const tokens = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { tokens, ms, cpuMs: (c.user + c.system) / 1000 };
}

/** node-llama-cpp alone: N sequences of one context, each evaluated directly and greedily. */
async function engine(model: LlamaModel, n: number, th: number): Promise<Run> {
  const context = await model.createContext({ sequences: n, contextSize: 256 * n, threads: th });
  try {
    const wrapper = resolveChatWrapper(model);
    const promptTokens = (i: number): Token[] => {
      const history: ChatHistoryItem[] = messagesOf(i).map((m) =>
        m.role === "system"
          ? { type: "system", text: m.content }
          : { type: "user", text: m.content },
      );
      history.push({ type: "model", response: [] });
      return wrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(model.tokenizer);
    };
    const seqs = Array.from({ length: n }, () => context.getSequence());
    const drive = async (i: number, seqIndex: number, max = TOKENS): Promise<number> => {
      const seq = seqs[seqIndex]!;
      // Keep the prefix already in the KV cache, as LlamaChat does (at least one token is new).
      const prompt = promptTokens(i);
      await seq.adaptStateToTokens(prompt.slice(0, -1), false);
      let count = 0;
      for await (const token of seq.evaluate(prompt.slice(seq.nextTokenIndex), {
        temperature: 0,
      })) {
        if (model.isEogToken(token)) break;
        if (++count >= max) break;
      }
      return count;
    };
    await drive(99, 0, WARMUP_TOKENS); // warm-up
    const sampled = () => seqs.reduce((a, s) => a + s.tokenMeter.usedOutputTokens, 0);
    const before = sampled();
    return await timed(async () => {
      await Promise.all(seqs.map((_, k) => drive(k, k)));
      return sampled() - before;
    });
  } finally {
    await context.dispose();
  }
}

/** candor's provider: N sequences, N generate calls at once. */
async function provider(n: number, th: number): Promise<Run> {
  const p = await LlamaProvider.create(
    // cached: the sha256 goes to a sidecar in bench/.out once, not hashed again per provider.
    { path, ref: `llama:${path}`, cached: true },
    { llama: { threads: th, sequences: n, contextSize: 256 * n } },
  );
  try {
    const call = (i: number, maxTokens = TOKENS) =>
      p.generate({ messages: messagesOf(i), params: { temperature: 0, maxTokens } });
    await call(99, WARMUP_TOKENS); // warm-up
    const before = p.tokenUsage().output;
    return await timed(async () => {
      await Promise.all(Array.from({ length: n }, (_, i) => call(i)));
      return p.tokenUsage().output - before;
    });
  } finally {
    await p.close();
  }
}

const tps = (r: Run) => (r.tokens / r.ms) * 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
const model = await llama.loadModel({ modelPath: path });
console.log(
  `model ${size} (${path}), ${TOKENS} tokens per sequence, greedy, ${threads} thread(s), ${llama.cpuMathCores} math cores (${cpus()[0]?.model ?? "?"}), ${ROUNDS} rounds`,
);
console.log(`load average at start: ${load()}`);
interface Pair {
  engine: Run;
  provider: Run;
}
const pairs = new Map<number, Pair[]>(COUNTS.map((n) => [n, []]));
const bench0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const n of COUNTS) {
    // Each ratio comes from two runs back to back, in alternating order, so a change in the
    // machine's load between rounds moves both sides of a ratio and favours neither.
    const first = round % 2 === 0 ? "engine" : "provider";
    const a = first === "engine" ? await engine(model, n, threads) : await provider(n, threads);
    const b = first === "engine" ? await provider(n, threads) : await engine(model, n, threads);
    const pair = first === "engine" ? { engine: a, provider: b } : { engine: b, provider: a };
    pairs.get(n)!.push(pair);
    console.log(
      `  round ${round + 1}, ${n} sequence(s): engine ${tps(pair.engine).toFixed(2)}, provider ${tps(pair.provider).toFixed(2)} tok/s, ratio ${(tps(pair.provider) / tps(pair.engine)).toFixed(2)}`,
    );
  }
  console.log(`round ${round + 1}/${ROUNDS} done (load ${load()})`);
}
console.log(
  "sequences   engine tok/s   provider tok/s   provider ÷ engine (median, min–max)   CPU ms/token engine, provider",
);
const medians: { n: number; ratio: number; provider: number }[] = [];
for (const n of COUNTS) {
  const ps = pairs.get(n)!;
  const ratios = ps.map((p) => tps(p.provider) / tps(p.engine));
  const cpuPerToken = (rs: Run[]) =>
    median(rs.map((r) => r.cpuMs / Math.max(1, r.tokens))).toFixed(1);
  const ratio = median(ratios);
  const provTps = median(ps.map((p) => tps(p.provider)));
  medians.push({ n, ratio, provider: provTps });
  console.log(
    `${String(n).padStart(9)}   ${median(ps.map((p) => tps(p.engine)))
      .toFixed(2)
      .padStart(
        12,
      )}   ${provTps.toFixed(2).padStart(14)}   ${ratio.toFixed(2).padStart(6)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})${" ".repeat(22)}${cpuPerToken(ps.map((p) => p.engine))}, ${cpuPerToken(ps.map((p) => p.provider))}`,
  );
}
console.log(`load average at end: ${load()}`);
console.log(
  `ratio provider/engine (median per sequence count): min ${Math.min(...medians.map((m) => m.ratio)).toFixed(2)}, at ${medians.map((m) => `${m.n}: ${m.ratio.toFixed(2)}`).join(", ")}  (${((performance.now() - bench0) / 1000).toFixed(0)} s)`,
);
await model.dispose();
