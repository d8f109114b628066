/**
 * Several sequences of one context decode in one llama.cpp batch. With unequal token counts per
 * sequence llama.cpp reorders the output rows lazily on first read while node-llama-cpp 3.21.1
 * samples every sequence from its own thread: a sequence could be sampled from another one's
 * row. Each prompt's greedy reply with N busy sequences must equal its reply run alone.
 */
import type { BatchItem, PrioritizedBatchItem } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSharedLlama, LlamaProvider } from "../../src/providers/llama.js";
import { lockstepStrategy, queuedSequenceIds } from "../../src/providers/llama-batching.js";
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
    const before = many.tokenUsage();
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
    // Every call samples at least one token and evaluates a prompt (bench:llama counts these).
    const after = many.tokenUsage();
    expect(after.output - before.output).toBeGreaterThanOrEqual(10 * PROMPTS.length);
    expect(after.input).toBeGreaterThan(before.input);
  });
});

/** Replies of each prompt run alone, on a provider with one sequence. */
async function soloReplies(modelPath: string): Promise<string[]> {
  const one = await LlamaProvider.create(
    { path: modelPath, ref: `llama:${modelPath}` },
    { llama: { threads: 1, sequences: 1, contextSize: 256 } },
  );
  try {
    const out: string[] = [];
    for (const [i, p] of PROMPTS.entries())
      out.push((await one.generate(req(p, maxTokensOf(i)))).text);
    return out;
  } finally {
    await one.close();
  }
}

// A 32k vocabulary (as real models have) makes sampling slow enough for concurrent reads of
// one batch's rows to overlap. Without the lockstep batches and the decode barrier (node-llama-cpp's
// default batching) replies differed from the prompt's reply alone in 2 of 3 runs of 6 rounds,
// and this test failed at round 8 of 16; the race is intermittent, hence many rounds.
describe("llama provider with 8 sequences, one per prompt (32k vocabulary)", () => {
  let eight: LlamaProvider;
  let alone: string[];
  beforeAll(async () => {
    const bigVocab = await ensureTinyGguf({ vocabSize: 32_000 });
    alone = await soloReplies(bigVocab);
    expect(new Set(alone).size).toBeGreaterThan(PROMPTS.length / 2);
    eight = await LlamaProvider.create(
      { path: bigVocab, ref: `llama:${bigVocab}` },
      { llama: { threads: 1, sequences: 8, contextSize: 2048 } },
    );
  });
  afterAll(async () => {
    await eight?.close();
  });

  it("gives 8 different prompts decoded together the replies each gets alone (16 rounds)", async () => {
    expect(eight.defaultConcurrency).toBe(8);
    for (let round = 0; round < 16; round++) {
      // Every prompt in flight at once, each on its own sequence; the order changes per round
      // so a prompt lands on a different sequence id next to different batch-mates.
      const order = PROMPTS.map((_, i) => (i * (2 * round + 1) + round) % PROMPTS.length);
      expect(new Set(order).size).toBe(PROMPTS.length);
      const outs = await Promise.all(
        order.map((i) => eight.generate(req(PROMPTS[i]!, maxTokensOf(i)))),
      );
      for (const [k, i] of order.entries()) {
        expect({ round, prompt: i, text: outs[k]!.text }).toEqual({
          round,
          prompt: i,
          text: alone[i],
        });
      }
    }
  });
});

const item = (n: number): BatchItem => ({
  tokens: Array.from({ length: n }, () => 7 as BatchItem["tokens"][number]),
  logits: Array.from({ length: n }, (_, i) => (i === n - 1 ? true : undefined)),
  evaluationPriority: 5,
});

describe("lockstep batch composition", () => {
  it("takes the larger of generation steps and prompt chunks, in ascending sequence id", () => {
    const a = item(30);
    const b = item(1);
    const c = item(1);
    const d = item(1);
    const ids = new Map<BatchItem, number>([
      [a, 0],
      [b, 3],
      [c, 1],
      [d, 2],
    ]);
    const out = lockstepStrategy((i) => ids.get(i))({ items: [a, b, c, d], size: 512 });
    expect(out.map((o) => [ids.get(o.item), o.processAmount])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    // The prompt left over goes alone, whole.
    const rest = lockstepStrategy((i) => ids.get(i))({ items: [a], size: 512 });
    expect(rest.map((o) => [ids.get(o.item), o.processAmount])).toEqual([[0, 30]]);
  });

  it("advances prompts of different lengths by the same chunk together", () => {
    const xs = [item(45), item(30), item(52)];
    const out = lockstepStrategy((i) => xs.indexOf(i))({ items: xs, size: 512 });
    expect(out.map((o) => [xs.indexOf(o.item), o.processAmount])).toEqual([
      [0, 30],
      [1, 30],
      [2, 30],
    ]);
  });

  it("gives every sequence the same share when the batch is too small", () => {
    const xs = [item(300), item(300), item(300)];
    const out = lockstepStrategy((i) => xs.indexOf(i))({ items: xs, size: 512 });
    expect(out.map((o) => o.processAmount)).toEqual([170, 170, 170]);
  });

  it("falls back to one sequence per batch when ids are unknown", () => {
    const xs = [item(1), item(1)];
    const out = lockstepStrategy(() => undefined)({ items: xs, size: 512 });
    expect(out).toEqual([{ item: xs[0], processAmount: 1 }]);
  });
});

describe("sequence ids from node-llama-cpp's queue", () => {
  it("are found for every queued item, and batches come out equal and ascending", async () => {
    const llama = await getSharedLlama();
    const model = await llama.loadModel({ modelPath: path });
    const batches: { id: number | undefined; amount: number }[][] = [];
    let ctx: object | undefined;
    const strategy = lockstepStrategy((i) => (ctx ? queuedSequenceIds(ctx)(i) : undefined));
    const context = await model.createContext({
      sequences: 3,
      contextSize: 768,
      threads: 1,
      batching: {
        itemPrioritizationStrategy: (o) => {
          const out: PrioritizedBatchItem[] = strategy(o);
          batches.push(
            out.map((p) => ({ id: queuedSequenceIds(context)(p.item), amount: p.processAmount })),
          );
          return out;
        },
      },
    });
    ctx = context;
    try {
      const seqs = [context.getSequence(), context.getSequence(), context.getSequence()];
      const tokens = (t: string) => model.tokenize(t);
      await Promise.all(
        seqs.map(async (s, k) => {
          let n = 0;
          for await (const _ of s.evaluate(tokens(`${"word ".repeat(3 + 4 * k)}go`), {
            temperature: 0,
          })) {
            if (++n >= 8) break;
          }
        }),
      );
    } finally {
      await context.dispose();
      await model.dispose();
    }
    const multi = batches.filter((b) => b.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b.every((x) => x.id !== undefined)).toBe(true);
      expect(new Set(b.map((x) => x.amount)).size).toBe(1);
      const ids = b.map((x) => x.id as number);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
    }
  });
});
