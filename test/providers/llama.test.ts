import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderCallError, ProviderConfigError } from "../../src/errors.js";
import { createProvider } from "../../src/providers/index.js";
import type { LlamaProvider } from "../../src/providers/llama.js";
import type { GenerateRequest, Provider } from "../../src/providers/types.js";
import { buildTinyGguf, ensureTinyGguf, tinyVocab } from "../helpers/tiny-gguf.js";

const LLAMA = { threads: 1, sequences: 2, contextSize: 256 };
const chat: GenerateRequest = {
  messages: [
    { role: "system", content: "You are warm." },
    { role: "user", content: "What is the capital of France?" },
  ],
  params: { temperature: 0, maxTokens: 12 },
};

let provider: Provider;
let modelPath: string;
beforeAll(async () => {
  modelPath = await ensureTinyGguf();
  provider = await createProvider(`llama:${modelPath}`, { llama: LLAMA });
});
afterAll(async () => {
  await provider?.close();
});

describe("tiny GGUF", () => {
  it("is deterministic, small, and parses as llama with a chat template", async () => {
    const a = buildTinyGguf();
    expect(a.equals(buildTinyGguf())).toBe(true);
    expect(a.equals(buildTinyGguf({ seed: 2 }))).toBe(false);
    expect(a.length).toBeGreaterThan(100_000);
    expect(a.length).toBeLessThan(1_000_000);
    const info = await readGgufFileInfo(modelPath);
    expect(info.metadata.general.architecture).toBe("llama");
    expect(info.metadata.tokenizer.ggml.tokens.length).toBe(tinyVocab().tokens.length);
    expect(info.metadata.tokenizer.chat_template).toContain("<|im_start|>");
  });
});

describe("llama provider", () => {
  it("loads the model with N sequences and the template's chat wrapper", () => {
    expect(provider.defaultConcurrency).toBe(2);
    expect((provider as LlamaProvider).chatWrapperName).toBe("ChatML");
    expect(provider.ref).toBe(`llama:${modelPath}`);
  });

  it("generates deterministically at temperature 0", async () => {
    const a = await provider.generate(chat);
    const b = await provider.generate(chat);
    expect(a.text.length).toBeGreaterThan(0);
    expect(b.text).toBe(a.text);
    expect(a.finishReason).toBe("length");
    expect(a.completionTokens).toBeGreaterThan(0);
    expect(a.completionTokens).toBeLessThanOrEqual(12);
    expect(a.promptTokens).toBeGreaterThan(10);
    expect(a.servedModel).toMatch(/\.gguf$/);
  });

  it("honours the seed when sampling", async () => {
    const sampled = (seed: number) =>
      provider.generate({ ...chat, params: { temperature: 1, topP: 0.95, seed, maxTokens: 16 } });
    const a = await sampled(1);
    const b = await sampled(1);
    expect(b.text).toBe(a.text);
    const others = await Promise.all([2, 3, 4].map(sampled));
    expect(others.some((o) => o.text !== a.text)).toBe(true);
  });

  it("constrains output to a JSON schema with a grammar", async () => {
    const schema = {
      type: "object",
      properties: {
        verdict: { enum: ["CORRECT", "INCORRECT", "REFUSAL"] },
        confident: { type: "boolean" },
      },
      required: ["verdict", "confident"],
    };
    for (const seed of [1, 2, 3]) {
      const out = await provider.generate({
        ...chat,
        params: { temperature: 1, seed, maxTokens: 60 },
        outputSchema: { name: "verdict", schema },
      });
      const parsed = JSON.parse(out.text) as { verdict: string; confident: boolean };
      expect(["CORRECT", "INCORRECT", "REFUSAL"]).toContain(parsed.verdict);
      expect(typeof parsed.confident).toBe("boolean");
    }
  });

  it("runs more concurrent calls than sequences (they queue)", async () => {
    const outs = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        provider.generate({
          messages: [{ role: "user", content: `question ${i}` }],
          params: { temperature: 0, maxTokens: 8 },
        }),
      ),
    );
    expect(outs).toHaveLength(5);
    for (const o of outs) expect(o.completionTokens).toBeGreaterThan(0);
    // Same prompt again, alone: same answer as in the concurrent batch.
    const again = await provider.generate({
      messages: [{ role: "user", content: "question 3" }],
      params: { temperature: 0, maxTokens: 8 },
    });
    expect(again.text).toBe(outs[3]!.text);
  });

  it("aborts a running generation and keeps working afterwards", async () => {
    const ac = new AbortController();
    const long = provider.generate({ ...chat, params: { maxTokens: 200 }, signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    const err = await long.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderCallError);
    expect((err as ProviderCallError).retryable).toBe(false);

    const timeout = await provider
      .generate({ ...chat, params: { maxTokens: 200 }, signal: AbortSignal.timeout(1) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(timeout).toBeInstanceOf(ProviderCallError);
    expect((timeout as ProviderCallError).retryable).toBe(true);

    const ok = await provider.generate(chat);
    expect(ok.text).toBe((await provider.generate(chat)).text);
  });

  it("aborts calls that are still waiting for a sequence", async () => {
    const busy = [1, 2].map(() => provider.generate({ ...chat, params: { maxTokens: 40 } }));
    const ac = new AbortController();
    const waiting = provider.generate({ ...chat, signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(ProviderCallError);
    await Promise.all(busy);
  });

  it("falls back to a general chat format when the GGUF has no template", async () => {
    const path = await ensureTinyGguf({ chatTemplate: null });
    const p = await createProvider(`llama:${path}`, { llama: { ...LLAMA, sequences: 1 } });
    try {
      expect((p as LlamaProvider).chatWrapperName).not.toBe("ChatML");
      const out = await p.generate(chat);
      expect(out.completionTokens).toBeGreaterThan(0);
    } finally {
      await p.close();
    }
  });

  it("shares one loaded model between providers of the same file", async () => {
    const p2 = await createProvider(`llama:${modelPath}`, { llama: { ...LLAMA, sequences: 1 } });
    const a = await p2.generate(chat);
    await p2.close();
    // The first provider still works after the second one released the model.
    expect((await provider.generate(chat)).text).toBe(a.text);
  });

  it("reports a missing model file as a config error", async () => {
    const err = await createProvider("llama:./nope/missing.gguf", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderConfigError);
    expect((err as Error).message).toContain("missing.gguf");
  });
});
