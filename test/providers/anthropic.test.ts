import { afterEach, describe, expect, it } from "vitest";
import { ProviderCallError, ProviderConfigError } from "../../src/errors.js";
import { ANTHROPIC_SAMPLING_API_VERSION } from "../../src/providers/anthropic.js";
import { createProvider } from "../../src/providers/index.js";
import type { GenerateRequest } from "../../src/providers/types.js";
import { type FakeAnthropicOptions, startAnthropicServer } from "./anthropic-server.js";

const KEY = "sk-ant-api03-TESTKEYTESTKEY";
const req: GenerateRequest = {
  messages: [
    { role: "system", content: "You are warm." },
    { role: "system", content: "Be brief." },
    { role: "user", content: "Capital of France?" },
    { role: "assistant", content: "Paris." },
    { role: "user", content: "Are you sure?" },
  ],
  params: { maxTokens: 50 },
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function setup(opts: FakeAnthropicOptions = {}) {
  const s = await startAnthropicServer({ apiKey: KEY, ...opts });
  closers.push(s.close);
  const p = await createProvider("anthropic:claude-test-model", {
    apiKey: KEY,
    baseURL: s.baseURL,
  });
  return { s, p };
}

async function callError(p: Promise<unknown>): Promise<ProviderCallError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderCallError);
  return err as ProviderCallError;
}

describe("anthropic provider", () => {
  it("maps system messages to `system` and returns the text", async () => {
    const { s, p } = await setup();
    const out = await p.generate(req);
    expect(out).toEqual({
      text: "Hello from Claude",
      finishReason: "end_turn",
      promptTokens: 12,
      completionTokens: 5,
      servedModel: "claude-test-model",
    });
    const body = s.seen[0]!.body;
    expect(body.system).toBe("You are warm.\n\nBe brief.");
    expect(body.messages).toEqual([
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "Are you sure?" },
    ]);
    expect(body.max_tokens).toBe(50);
    expect(body).not.toHaveProperty("temperature");
    expect(body).not.toHaveProperty("tools");
    expect(s.seen[0]!.headers["anthropic-version"]).not.toBe(ANTHROPIC_SAMPLING_API_VERSION);
  });

  it("sends temperature/top_p under the API version that still accepts them", async () => {
    const { s, p } = await setup();
    await p.generate({ ...req, params: { temperature: 0.7, topP: 0.9 } });
    const body = s.seen[0]!.body;
    expect(body).toMatchObject({ temperature: 0.7, top_p: 0.9, max_tokens: 1024 });
    expect(s.seen[0]!.headers["anthropic-version"]).toBe(ANTHROPIC_SAMPLING_API_VERSION);
  });

  it("gets structured output through one forced tool call", async () => {
    const { s, p } = await setup();
    const schema = {
      type: "object",
      properties: { verdict: { enum: ["CORRECT", "INCORRECT"] }, rationale: { type: "string" } },
      required: ["verdict", "rationale"],
    };
    const out = await p.generate({ ...req, outputSchema: { name: "judge.verdict", schema } });
    expect(JSON.parse(out.text)).toEqual({ verdict: "CORRECT", rationale: "x" });
    const body = s.seen[0]!.body;
    expect(body.tools).toEqual([
      { name: "judge_verdict", description: expect.any(String), input_schema: schema },
    ]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "judge_verdict" });
  });

  it("a response without the forced tool call is a retryable error", async () => {
    const { p } = await setup({ ignoreTools: true });
    const err = await callError(
      p.generate({ ...req, outputSchema: { name: "v", schema: { type: "object" } } }),
    );
    expect(err.retryable).toBe(true);
  });

  it("maps 429 (Retry-After), 529 overloaded and 500 to retryable errors", async () => {
    const a = await setup({ errorStatus: 429, errorHeaders: { "retry-after": "3" } });
    expect(await callError(a.p.generate(req))).toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 3000,
    });
    expect(a.s.seen).toHaveLength(1);
    const b = await setup({ errorStatus: 529 });
    expect(await callError(b.p.generate(req))).toMatchObject({ retryable: true, status: 529 });
    const c = await setup({ errorStatus: 500 });
    expect(await callError(c.p.generate(req))).toMatchObject({ retryable: true, status: 500 });
  });

  it("maps 400 to a final error with the server's message", async () => {
    const { p } = await setup({ errorStatus: 400 });
    const err = await callError(p.generate(req));
    expect(err).toMatchObject({ retryable: false, status: 400 });
    expect(err.message).toContain("fake 400");
  });

  it("maps 401 to a final error naming the env var and not the key", async () => {
    const s = await startAnthropicServer({ apiKey: "other" });
    closers.push(s.close);
    process.env.CANDOR_TEST_ANTHROPIC = KEY;
    try {
      const p = await createProvider("anthropic:claude-x", {
        apiKeyEnv: "CANDOR_TEST_ANTHROPIC",
        baseURL: s.baseURL,
      });
      const err = await callError(p.generate(req));
      expect(err).toMatchObject({ retryable: false, status: 401 });
      expect(err.message).toContain("CANDOR_TEST_ANTHROPIC");
      expect(err.message).not.toContain("TESTKEY");
    } finally {
      delete process.env.CANDOR_TEST_ANTHROPIC;
    }
  });

  it("needs ANTHROPIC_API_KEY when no key is configured", async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      const err = await createProvider("anthropic:claude-x", {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderConfigError);
      expect((err as Error).message).toContain("ANTHROPIC_API_KEY");
    } finally {
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  it("aborts in-flight calls", async () => {
    const { p } = await setup();
    const ac = new AbortController();
    ac.abort();
    const err = await callError(p.generate({ ...req, signal: ac.signal }));
    expect(err.retryable).toBe(false);
  });
});
