import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLogprobBackend } from "../../src/warmth/backend.js";
import {
  CompletionsLogprobBackend,
  splitPromptLogprobs,
} from "../../src/warmth/completions-logprobs.js";
import { COLD_PREFIXES, WARM_PREFIXES } from "../../src/warmth/frames.js";
import { scoreSocioT, sociotScorer } from "../../src/warmth/sociot.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server?.close();
});

/**
 * The test server's prompt log-probabilities, by hand: whitespace "tokens" (each with its
 * leading spaces), log p = −((length mod 7) + 1) / 4, none for the first token.
 */
function fakeTokens(prompt: string): { text: string; start: number; lp: number | null }[] {
  const out: { text: string; start: number; lp: number | null }[] = [];
  const re = /\s*\S+/g;
  for (let m = re.exec(prompt); m !== null; m = re.exec(prompt)) {
    out.push({
      text: m[0],
      start: m.index,
      lp: out.length === 0 ? null : -((m[0].length % 7) + 1) / 4,
    });
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("SocioT on an OpenAI-compatible completions endpoint (echo + logprobs)", () => {
  it("scores from the server's prompt log-probabilities; both forms equal a hand computation", async () => {
    const text = 'Hello there, my "dear" friend.';
    const backend = await openLogprobBackend(`openai-compatible:${server.baseURL}#fake-model`);
    const before = server.stats.byPath["/v1/completions"] ?? 0;
    const [score] = await scoreSocioT([text], backend);
    expect((server.stats.byPath["/v1/completions"] ?? 0) - before).toBe(8);
    const set = (prefixes: readonly string[]) =>
      prefixes.map((prefix) => {
        const toks = fakeTokens(`${prefix}${text}"`).filter((t) => t.lp !== null);
        // A token belongs to the frame when it ends within it; ' "Hello' straddles: text.
        const inFrame = toks.filter((t) => t.start + t.text.length <= prefix.length);
        const inText = toks.filter((t) => t.start + t.text.length > prefix.length);
        return { all: toks.map((t) => t.lp!), text: inText.map((t) => t.lp!), frame: inFrame };
      });
    const warm = set(WARM_PREFIXES);
    const cold = set(COLD_PREFIXES);
    const ref = (s: typeof warm) => sum(s.flatMap((f) => f.all)) / s.flatMap((f) => f.all).length;
    const strict = (s: typeof warm) =>
      Math.log(sum(s.map((f) => Math.exp(sum(f.text)))) / s.length);
    expect(score!.reference).toBeCloseTo(ref(warm) - ref(cold), 12);
    expect(score!.strict).toBeCloseTo(strict(warm) - strict(cold), 12);
    // 8 prompt tokens, 7 predicted: " friend", " said," in the frame; the generated " ok"
    // is not scored.
    expect(score!.warm[0]).toMatchObject({ allTokens: 7, textTokens: 5 });
    await backend.close();
  });

  it("offers a plain (texts) => scores function per form", async () => {
    const backend = await openLogprobBackend(`openai-compatible:${server.baseURL}#fake-model`);
    const texts = ["one two three", "four", "five six"];
    const full = await scoreSocioT(texts, backend);
    expect(await sociotScorer(backend, "strict", 2)(texts)).toEqual(full.map((s) => s.strict));
    expect(await sociotScorer(backend)(texts)).toEqual(full.map((s) => s.reference));
  });

  it("explains what is missing when a server returns no prompt log-probabilities", () => {
    expect(() => splitPromptLogprobs(null, 5, 10, "srv")).toThrow(
      /no prompt log-probabilities.*echo with logprobs/,
    );
    expect(() =>
      splitPromptLogprobs({ token_logprobs: [null, null], text_offset: [0, 3] }, 2, 12, "srv"),
    ).toThrow(/no log-probabilities for the text after the frame/);
  });

  it("names the failing endpoint; rejects references that cannot score given text", async () => {
    const dead = new CompletionsLogprobBackend("openai-compatible:http://127.0.0.1:9/v1#m", {
      maxRetries: 0,
      timeoutMs: 2000,
    });
    await expect(scoreSocioT(["hi"], dead)).rejects.toThrow(
      /openai-compatible:http:\/\/127\.0\.0\.1:9\/v1#m: completions request failed/,
    );
    await expect(openLogprobBackend("anthropic:claude-x")).rejects.toThrow(
      /needs token log-probabilities of a given text/,
    );
    await expect(openLogprobBackend("openai:gpt-4o")).rejects.toThrow(/openai-compatible/);
  });
});
