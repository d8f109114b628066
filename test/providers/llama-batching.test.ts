/**
 * Several sequences of one context decode in one llama.cpp batch. With unequal token counts per
 * sequence llama.cpp reorders the output rows lazily on first read while node-llama-cpp 3.21.1
 * samples every sequence from its own thread: a sequence could be sampled from another one's
 * row. Each prompt's greedy reply with N busy sequences must equal its reply run alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlamaProvider } from "../../src/providers/llama.js";
import type { GenerateRequest } from "../../src/providers/types.js";
import { ensureTinyGguf } from "../helpers/tiny-gguf.js";

// Different lengths, so prompt evaluation of one sequence overlaps generation of another.
const PROMPTS = [
  "Hi",
  "What is the capital of France?",
  "Name three rivers in Europe and say which one is the longest of them all.",
  "Is it true that the Great Wall of China can be seen from space with the naked eye? Explain.",
  "2+2?",
  "Tell me about photosynthesis in plants, step by step, for a school pupil of twelve years.",
  "Why is the sky blue",
  "List prime numbers below 30",
];
const req = (content: string, maxTokens: number): GenerateRequest => ({
  messages: [{ role: "user", content }],
  params: { temperature: 0, maxTokens },
});
// Staggered lengths keep the sequences out of step: some evaluate a prompt while others generate.
const maxTokensOf = (i: number) => 6 + ((i * 5) % 17);

let path: string;
let solo: string[];
beforeAll(async () => {
  path = await ensureTinyGguf();
  const one = await LlamaProvider.create(
    { path, ref: `llama:${path}` },
    { llama: { threads: 1, sequences: 1, contextSize: 256 } },
  );
  try {
    solo = [];
    for (const [i, p] of PROMPTS.entries())
      solo.push((await one.generate(req(p, maxTokensOf(i)))).text);
  } finally {
    await one.close();
  }
  // Random weights still give each prompt its own reply, so a swapped row shows.
  expect(new Set(solo).size).toBeGreaterThan(PROMPTS.length / 2);
});

describe("llama provider with several sequences in one context", () => {
  let many: LlamaProvider;
  beforeAll(async () => {
    many = await LlamaProvider.create(
      { path, ref: `llama:${path}` },
      { llama: { threads: 1, sequences: 4, contextSize: 1024 } },
    );
  });
  afterAll(async () => {
    await many?.close();
  });

  it("gives every prompt the reply it gets alone (10 rounds, 8 calls on 4 sequences)", async () => {
    for (let round = 0; round < 10; round++) {
      // Rotate the order so every prompt meets different batch-mates at different offsets.
      const order = PROMPTS.map((_, i) => (i + round * 3) % PROMPTS.length);
      const outs = await Promise.all(
        order.map((i) => many.generate(req(PROMPTS[i]!, maxTokensOf(i)))),
      );
      for (const [k, i] of order.entries()) {
        expect({ round, prompt: i, text: outs[k]!.text }).toEqual({
          round,
          prompt: i,
          text: solo[i],
        });
      }
    }
  });
});
