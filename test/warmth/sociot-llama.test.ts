import type { LlamaModel, Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSharedLlama } from "../../src/providers/llama.js";
import { COLD_SPEAKERS, truncateChars, WARM_SPEAKERS } from "../../src/warmth/frames.js";
import { LlamaLogprobBackend } from "../../src/warmth/llama-logprobs.js";
import { scoreSocioT } from "../../src/warmth/sociot.js";
import { ensureTinyGguf } from "../helpers/tiny-gguf.js";

const TEXTS = [
  "I'm so glad you asked! You've got this, and I'm here for you.",
  "The answer is 42.",
  "Paris is the capital of France; it has been since 987.",
];

let modelPath: string;
let batched: LlamaLogprobBackend;
let handModel: LlamaModel;
beforeAll(async () => {
  modelPath = await ensureTinyGguf();
  handModel = await (await getSharedLlama()).loadModel({ modelPath });
  batched = await LlamaLogprobBackend.open(`llama:${modelPath}`, { parallel: 2, threads: 1 });
});
afterAll(async () => {
  await batched?.close();
  await handModel?.dispose();
});

/**
 * Token log-probabilities of one framed string computed directly with node-llama-cpp on a
 * fresh context: log p(token i) is read from the distribution after token i − 1. `split`
 * mimics candor's canonical evaluation (frame without its last token, then the rest, in two
 * decodes); `oneShot` decodes the whole sequence at once.
 */
async function handLogprobs(
  framed: string,
  prefix: string,
  mode: "split" | "oneShot",
): Promise<{ frameLps: number[]; textLps: number[] }> {
  const model = handModel;
  const ctx = await model.createContext({ contextSize: 256, threads: 1 });
  try {
    const bos = model.tokens.shouldPrependBosToken ? [model.tokens.bos!] : [];
    const tokens: Token[] = [...bos, ...model.tokenize(framed)];
    const prefixTokens = [...bos, ...model.tokenize(prefix)];
    // These texts do not merge with the frame's opening quote: the split is exact.
    expect(tokens.slice(0, prefixTokens.length)).toEqual(prefixTokens);
    const seq = ctx.getSequence();
    const withProbs = (ts: Token[]) =>
      ts.map((t) => [t, { generateNext: { probabilities: true } }] as [Token, object]);
    const parts =
      mode === "oneShot"
        ? [tokens]
        : [tokens.slice(0, prefixTokens.length - 1), tokens.slice(prefixTokens.length - 1)];
    const lps: number[] = [];
    let offset = 0;
    for (const part of parts) {
      const out = await seq.controlledEvaluate(withProbs(part));
      part.forEach((_, j) => {
        const next = tokens[offset + j + 1];
        if (next !== undefined) lps.push(Math.log(out[j]!.next.probabilities!.get(next)!));
      });
      offset += part.length;
    }
    // lps[i] is log p(tokens[i + 1]); the first token (BOS) is not predicted.
    return {
      frameLps: lps.slice(0, prefixTokens.length - 1),
      textLps: lps.slice(prefixTokens.length - 1),
    };
  } finally {
    await ctx.dispose();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("SocioT on the embedded engine (tiny GGUF)", () => {
  it("both forms equal the values computed by hand from the engine's token log-probabilities", async () => {
    const text = TEXTS[0]!;
    const [score] = await scoreSocioT([text], batched);
    const set = async (speakers: readonly string[], mode: "split" | "oneShot") => {
      const frames = [];
      for (const sp of speakers) {
        const prefix = `${sp} said, "`;
        frames.push(await handLogprobs(`${prefix}${truncateChars(text, 300)}"`, prefix, mode));
      }
      // Reference: mean log-likelihood per predicted token, pooled over the set's sequences.
      const all = frames.flatMap((f) => [...f.frameLps, ...f.textLps]);
      const reference = sum(all) / all.length;
      // Strict: log of the uniform mixture over frames of p(text + closing quote | frame).
      const lls = frames.map((f) => sum(f.textLps));
      const m = Math.max(...lls);
      const strict = m + Math.log(sum(lls.map((l) => Math.exp(l - m))) / lls.length);
      return { reference, strict, frames };
    };
    const warm = await set(WARM_SPEAKERS, "split");
    const cold = await set(COLD_SPEAKERS, "split");
    expect(score!.reference).toBeCloseTo(warm.reference - cold.reference, 10);
    expect(score!.strict).toBeCloseTo(warm.strict - cold.strict, 9);
    // The details are the per-frame sums the forms were computed from.
    expect(score!.warm[0]!.textTokens).toBe(warm.frames[0]!.textLps.length);
    expect(score!.warm[0]!.textLogLik).toBeCloseTo(sum(warm.frames[0]!.textLps), 9);
    expect(score!.cold[3]!.allTokens).toBe(
      cold.frames[3]!.frameLps.length + cold.frames[3]!.textLps.length,
    );
    // Decoding each sequence in one piece differs only by float32 rounding (matmul kernels
    // depend on the batch size): ~1e-5 per token on this random model.
    const warm1 = await set(WARM_SPEAKERS, "oneShot");
    const cold1 = await set(COLD_SPEAKERS, "oneShot");
    const perToken = warm1.frames.flatMap((f, i) =>
      [...f.frameLps, ...f.textLps].map(
        (v, j) => v - [...warm.frames[i]!.frameLps, ...warm.frames[i]!.textLps][j]!,
      ),
    );
    expect(Math.max(...perToken.map(Math.abs))).toBeLessThan(1e-3);
    expect(score!.reference).toBeCloseTo(warm1.reference - cold1.reference, 4);
    expect(score!.strict).toBeCloseTo(warm1.strict - cold1.strict, 2);
  });

  it("is deterministic: order, parallel contexts and prefix reuse do not change a bit", async () => {
    const a = await scoreSocioT(TEXTS, batched);
    const b = await scoreSocioT(TEXTS, batched);
    expect(b).toEqual(a);
    const single = await LlamaLogprobBackend.open(`llama:${modelPath}`, {
      parallel: 1,
      reusePrefix: false,
      threads: 1,
    });
    try {
      const reversed = await scoreSocioT([...TEXTS].reverse(), single);
      expect(reversed.reverse()).toEqual(a);
    } finally {
      await single.close();
    }
  });

  it("follows the tokenizer's BOS flag unless told otherwise (no BOS: the first token is not predicted)", async () => {
    const noBos = await LlamaLogprobBackend.open(`llama:${modelPath}`, {
      prependBos: false,
      threads: 1,
    });
    try {
      const [a] = await scoreSocioT([TEXTS[1]!], batched);
      const [b] = await scoreSocioT([TEXTS[1]!], noBos);
      expect(b!.warm[0]!.allTokens).toBe(a!.warm[0]!.allTokens - 1);
      expect(b!.warm[0]!.textTokens).toBe(a!.warm[0]!.textTokens);
      expect(b!.reference).not.toBe(a!.reference);
    } finally {
      await noBos.close();
    }
  });

  it("serves concurrent calls one after another with the same results", async () => {
    const alone = await scoreSocioT(TEXTS, batched);
    const [a, b] = await Promise.all([
      scoreSocioT(TEXTS, batched),
      scoreSocioT([...TEXTS].reverse(), batched),
    ]);
    expect(a).toEqual(alone);
    expect(b!.reverse()).toEqual(alone);
  });

  it("rejects empty texts and texts too long for the scorer's context with clear errors", async () => {
    await expect(scoreSocioT(["fine", "   "], batched)).rejects.toThrow(
      /text 2 is empty; expected a non-empty string/,
    );
    // 300 characters of byte-fallback tokens overflow the tiny model's 256-token context.
    await expect(scoreSocioT(["é".repeat(400)], batched)).rejects.toThrow(
      /more than the scorer context holds \(255\)/,
    );
  });

  it("cuts texts to 300 characters (code points) before framing", () => {
    expect(truncateChars("a".repeat(301))).toHaveLength(300);
    expect(truncateChars("😀".repeat(301))).toBe("😀".repeat(300));
    expect(truncateChars("short")).toBe("short");
  });
});
