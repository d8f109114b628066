/**
 * Tokens/s of the embedded llama.cpp provider on a random-weight GGUF written on the fly
 * (no download), for each threads × sequences setting. Used to pick the default thread count.
 *
 *   node --import tsx bench/providers/llama-throughput.ts [--size small|mid] [--tokens 30]
 *
 * `mid` (~100 MB F32, n_embd 512, 8 layers) is closer to real per-token work than the test
 * model; `small` is the tiny test model.
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaProvider } from "../../src/providers/llama.js";
import { type TinyGgufOptions, writeTinyGguf } from "../../test/helpers/tiny-gguf.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const SIZES: Record<string, TinyGgufOptions> = {
  small: {},
  mid: { nEmbd: 512, nHead: 8, nLayer: 8, nFf: 1408, contextLength: 512 },
};
const size = arg("--size", "mid");
const TOKENS = Number(arg("--tokens", "30"));
const shape = SIZES[size];
if (!shape) throw new Error(`--size must be one of ${Object.keys(SIZES).join(", ")}`);

const path = join(tmpdir(), `candor-bench-${size}-${process.pid}.gguf`);
await writeTinyGguf(path, shape);
try {
  console.log(`model ${size}, ${TOKENS} tokens per call, temperature 0`);
  console.log("threads  sequences  parallel calls  ms     tokens/s");
  for (const threads of [1, 2]) {
    for (const sequences of [1, 2]) {
      const p = await LlamaProvider.create(
        { path, ref: `llama:${path}` },
        { llama: { threads, sequences, contextSize: 256 } },
      );
      const call = (i: number) =>
        p.generate({
          messages: [{ role: "user", content: `Question number ${i}: what is the capital?` }],
          params: { temperature: 0, maxTokens: TOKENS },
        });
      await call(99); // warm-up
      const t0 = performance.now();
      const outs = await Promise.all(Array.from({ length: sequences }, (_, i) => call(i)));
      const ms = performance.now() - t0;
      const tokens = outs.reduce((a, o) => a + (o.completionTokens ?? 0), 0);
      console.log(
        `${String(threads).padStart(7)}  ${String(sequences).padStart(9)}  ${String(sequences).padStart(14)}  ${ms.toFixed(0).padStart(5)}  ${((tokens / ms) * 1000).toFixed(1).padStart(8)}`,
      );
      await p.close();
    }
  }
} finally {
  await rm(path, { force: true });
}
