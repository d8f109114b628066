/**
 * SocioT throughput on the tiny generated GGUF: texts scored per second, batched vs one at a time.
 *
 *   node --import tsx bench/warmth/sociot-throughput.ts [--texts 32] [--parallel 2] [--threads 1]
 *
 * - one at a time: one context, every text scored alone (8 framed sequences, each evaluated
 *   from scratch: no frame reuse);
 * - batched (1 context): texts in chunks of 16; a sequence works through all texts of a frame
 *   and evaluates the frame once per chunk;
 * - batched (N contexts): the same with N contexts evaluating different frames at once.
 * All three must give bit-identical scores (checked). The tiny model has a 324-token
 * vocabulary: with GPT-2 (50,257) the per-token probability read-out costs relatively more.
 */
import { cpus } from "node:os";
import { LlamaLogprobBackend } from "../../src/warmth/llama-logprobs.js";
import { type SocioTScore, scoreSocioT } from "../../src/warmth/sociot.js";
import { ensureTinyGguf } from "../../test/helpers/tiny-gguf.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg("--texts", 32);
const PARALLEL = arg("--parallel", 2);
const THREADS = arg("--threads", 1);
const CHUNK = 16;

const OPENERS = [
  "I'm so glad you asked!",
  "Great question, friend.",
  "The answer is simple.",
  "Honestly, it depends.",
  "Oh no, I'm sorry to hear that.",
  "Here is what the evidence says.",
];
/** Deterministic answer-like texts of 80–200 characters. */
function texts(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = ` Item ${i}: the capital is Paris, and the river is the Seine${", which flows north".repeat(i % 4)}.`;
    out.push(`${OPENERS[i % OPENERS.length]}${body}`.slice(0, 80 + ((i * 37) % 121)));
  }
  return out;
}

async function timed(
  label: string,
  opts: { parallel: number; reusePrefix: boolean },
  items: string[],
  batched: boolean,
): Promise<{ label: string; seconds: number; perSecond: number; scores: SocioTScore[] }> {
  const model = await ensureTinyGguf();
  const backend = await LlamaLogprobBackend.open(`llama:${model}`, { ...opts, threads: THREADS });
  try {
    await scoreSocioT(["warm-up text."], backend);
    const start = performance.now();
    const scores: SocioTScore[] = [];
    if (batched) {
      for (let i = 0; i < items.length; i += CHUNK) {
        scores.push(...(await scoreSocioT(items.slice(i, i + CHUNK), backend)));
      }
    } else {
      for (const t of items) scores.push(...(await scoreSocioT([t], backend)));
    }
    const seconds = (performance.now() - start) / 1000;
    return { label, seconds, perSecond: items.length / seconds, scores };
  } finally {
    await backend.close();
  }
}

const items = texts(N);
console.log(
  `SocioT on the tiny GGUF: ${N} texts (${Math.min(...items.map((t) => t.length))}–${Math.max(...items.map((t) => t.length))} chars, 8 framed sequences each), ${THREADS} thread(s) per context, ${cpus().length} CPUs`,
);
const single = await timed("one at a time", { parallel: 1, reusePrefix: false }, items, false);
const batched1 = await timed("batched, 1 context", { parallel: 1, reusePrefix: true }, items, true);
const batchedN = await timed(
  `batched, ${PARALLEL} contexts`,
  { parallel: PARALLEL, reusePrefix: true },
  items,
  true,
);
for (const r of [single, batched1, batchedN]) {
  console.log(
    `  ${r.label.padEnd(22)} ${r.seconds.toFixed(2).padStart(6)} s  ${r.perSecond.toFixed(2).padStart(7)} texts/s  ×${(r.perSecond / single.perSecond).toFixed(2)}`,
  );
}
const key = (s: SocioTScore[]) => JSON.stringify(s.map((x) => [x.reference, x.strict]));
const same =
  key(single.scores) === key(batched1.scores) && key(single.scores) === key(batchedN.scores);
console.log(`  scores identical across modes: ${same ? "yes" : "NO"}`);
console.log(
  `ratio batched (${PARALLEL} contexts) / one at a time: ${(batchedN.perSecond / single.perSecond).toFixed(2)}`,
);
if (!same) process.exitCode = 1;
