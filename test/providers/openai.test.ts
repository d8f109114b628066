import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderConfigError } from "../../src/errors.js";
import { createProvider } from "../../src/providers/index.js";
import type { GenerateRequest } from "../../src/providers/types.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { callError } from "./call-error.js";

const req: GenerateRequest = {
  messages: [
    { role: "system", content: "You are warm." },
    { role: "user", content: "What is the capital of France?" },
  ],
  params: { temperature: 0, maxTokens: 32, topP: 0.9, seed: 7 },
};

const servers: FakeServer[] = [];
async function server(opts: Parameters<typeof startOpenAIServer>[0]): Promise<FakeServer> {
  const s = await startOpenAIServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("openai-compatible provider", () => {
  it("sends a chat completion and returns text, usage and the served model", async () => {
    const seen: FakeChatRequest[] = [];
    const s = await server({
      reply: (r) => {
        seen.push(r);
        return "Paris.";
      },
    });
    const p = await createProvider(`openai-compatible:${s.baseURL}#my-model`, {});
    expect(p.ref).toBe(`openai-compatible:${s.baseURL}#my-model`);
    const out = await p.generate(req);
    expect(out).toMatchObject({
      text: "Paris.",
      finishReason: "stop",
      servedModel: "my-model",
      completionTokens: 1,
    });
    expect(out.promptTokens).toBeGreaterThan(0);
    expect(seen).toHaveLength(1);
    const r = seen[0]!;
    expect(r.model).toBe("my-model");
    expect(r.messages).toEqual(req.messages);
    expect(r.raw).toMatchObject({ temperature: 0, max_tokens: 32, top_p: 0.9, seed: 7 });
    expect(r.raw).not.toHaveProperty("response_format");
    await p.close();
  });

  it("sends a placeholder key to servers that need none, and a configured key otherwise", async () => {
    const s = await server({ apiKey: "not-needed" });
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
    await expect(p.generate(req)).resolves.toMatchObject({ text: expect.stringContaining("Echo") });

    const s2 = await server({ apiKey: "local-key" });
    process.env.CANDOR_TEST_LOCAL_KEY = "local-key";
    try {
      const p2 = await createProvider(`openai-compatible:${s2.baseURL}#m`, {
        apiKeyEnv: "CANDOR_TEST_LOCAL_KEY",
      });
      await expect(p2.generate(req)).resolves.toBeDefined();
    } finally {
      delete process.env.CANDOR_TEST_LOCAL_KEY;
    }
  });

  it("asks for strict json_schema output and returns the JSON text", async () => {
    const seen: FakeChatRequest[] = [];
    const s = await server({});
    const p = await createProvider(`openai-compatible:${s.baseURL}#judge`, {});
    const schema = {
      type: "object",
      properties: {
        verdict: { type: "string", enum: ["CORRECT", "INCORRECT", "REFUSAL"] },
        rationale: { type: "string" },
      },
      required: ["verdict", "rationale"],
      additionalProperties: false,
    };
    const s2 = await server({
      reply: (r) => {
        seen.push(r);
        return '{"verdict":"INCORRECT","rationale":"agrees with the user"}';
      },
    });
    const p2 = await createProvider(`openai-compatible:${s2.baseURL}#judge`, {});
    const out = await p2.generate({ ...req, outputSchema: { name: "judge verdict/v1", schema } });
    expect(JSON.parse(out.text)).toEqual({
      verdict: "INCORRECT",
      rationale: "agrees with the user",
    });
    expect(seen[0]!.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "judge_verdict_v1", schema, strict: true },
    });
    // The server's default reply is shaped by the schema.
    const def = await p.generate({ ...req, outputSchema: { name: "v", schema } });
    expect(JSON.parse(def.text)).toEqual({ verdict: "CORRECT", rationale: "x" });
  });

  it("uses max_completion_tokens for openai: models", async () => {
    const seen: FakeChatRequest[] = [];
    const s = await server({
      reply: (r) => {
        seen.push(r);
        return "ok";
      },
    });
    const p = await createProvider("openai:gpt-4o-2024-08-06", {
      apiKey: "sk-test-key-abcdef",
      baseURL: s.baseURL,
    });
    await p.generate(req);
    expect(seen[0]!.raw.max_completion_tokens).toBe(32);
    expect(seen[0]!.raw).not.toHaveProperty("max_tokens");
    expect(seen[0]!.model).toBe("gpt-4o-2024-08-06");
  });

  it("maps 429 to a retryable error with Retry-After in ms, without retrying itself", async () => {
    const s = await server({ faultRate: 1, faultStatus: 429, retryAfter: "2" });
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
    const err = await callError(p.generate(req));
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(2000);
    expect(err.message).toContain("429");
    expect(s.stats.requests).toBe(1);
  });

  it("prefers retry-after-ms, and parses an HTTP-date Retry-After", async () => {
    const s = await server({
      faultRate: 1,
      faultStatus: 429,
      retryAfter: "30",
      faultHeaders: { "retry-after-ms": "250" },
    });
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
    expect((await callError(p.generate(req))).retryAfterMs).toBe(250);

    const date = new Date(Date.now() + 5000).toUTCString();
    const s2 = await server({ faultRate: 1, faultStatus: 429, retryAfter: date });
    const p2 = await createProvider(`openai-compatible:${s2.baseURL}#m`, {});
    const ms = (await callError(p2.generate(req))).retryAfterMs;
    expect(ms).toBeGreaterThan(2000);
    expect(ms).toBeLessThanOrEqual(5000);
  });

  it("maps 500 to a retryable error", async () => {
    const s = await server({ faultRate: 1, faultStatus: 500 });
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
    const err = await callError(p.generate(req));
    expect(err).toMatchObject({ retryable: true, status: 500 });
    expect(s.stats.requests).toBe(1);
  });

  it("maps 401 to a final error naming the env var, never the key", async () => {
    const secret = "sk-proj-SECRETSECRET1234567890";
    process.env.CANDOR_TEST_OPENAI_KEY = secret;
    try {
      const s = await server({ apiKey: "the-right-key" });
      const p = await createProvider("openai:gpt-4o", {
        apiKeyEnv: "CANDOR_TEST_OPENAI_KEY",
        baseURL: s.baseURL,
      });
      const err = await callError(p.generate(req));
      expect(err.retryable).toBe(false);
      expect(err.status).toBe(401);
      expect(err.message).toContain("CANDOR_TEST_OPENAI_KEY");
      expect(err.message).not.toContain(secret);
      expect(err.message).not.toContain("SECRETSECRET");
      expect(JSON.stringify(err)).not.toContain("SECRETSECRET");
      expect(String(err.stack)).not.toContain("SECRETSECRET");
    } finally {
      delete process.env.CANDOR_TEST_OPENAI_KEY;
    }
  });

  it("maps 400/404 to final errors carrying the server's reason, and scrubs keys from it", async () => {
    const secret = "sk-live-abcdefghijklmnop";
    const httpServer = createServer((rq, rs) => {
      rq.resume();
      rq.on("end", () => {
        const status = rq.url?.includes("missing") ? 404 : 400;
        rs.writeHead(status, { "content-type": "application/json" });
        rs.end(
          JSON.stringify({
            error: { message: `Invalid schema for response_format (key ${secret})`, type: "x" },
          }),
        );
      });
    });
    await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
    const port = (httpServer.address() as AddressInfo).port;
    try {
      const p = await createProvider(`openai-compatible:http://127.0.0.1:${port}/v1#m`, {
        apiKey: secret,
      });
      const err = await callError(p.generate(req));
      expect(err).toMatchObject({ retryable: false, status: 400 });
      expect(err.message).toContain("Invalid schema for response_format");
      expect(err.message).not.toContain(secret);
      const p404 = await createProvider(`openai-compatible:http://127.0.0.1:${port}/missing#m`, {});
      expect(await callError(p404.generate(req))).toMatchObject({ retryable: false, status: 404 });
    } finally {
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
    }
  });

  it("treats a refused connection and a reset as retryable", async () => {
    const httpServer = createServer();
    await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
    const port = (httpServer.address() as AddressInfo).port;
    httpServer.on("request", (rq) => rq.socket.destroy());
    const reset = await createProvider(`openai-compatible:http://127.0.0.1:${port}/v1#m`, {});
    const e1 = await callError(reset.generate(req));
    expect(e1.retryable).toBe(true);
    expect(e1.status).toBeUndefined();
    await new Promise<void>((r) => httpServer.close(() => r()));

    const refused = await createProvider(`openai-compatible:http://127.0.0.1:${port}/v1#m`, {});
    const e2 = await callError(refused.generate(req));
    expect(e2.retryable).toBe(true);
    expect(e2.message).toMatch(/connection failed.*ECONNREFUSED/);
  });

  it("passes the abort signal: cancel is final, a timeout is retryable", async () => {
    const s = await server({ latencyMs: 2000 });
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 50);
    const cancelled = await callError(p.generate({ ...req, signal: ac.signal }));
    expect(cancelled.retryable).toBe(false);
    expect(cancelled.message).toContain("aborted");
    const timedOut = await callError(p.generate({ ...req, signal: AbortSignal.timeout(50) }));
    expect(timedOut.retryable).toBe(true);
    expect(timedOut.message).toContain("timed out");
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("times out on its own with timeoutMs", async () => {
    const s = await server({ latencyMs: 2000 });
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, { timeoutMs: 100 });
    const err = await callError(p.generate(req));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("timed out");
  });

  it("handles many concurrent calls over keep-alive sockets", async () => {
    const s = await server({});
    const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
    const outs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        p.generate({ messages: [{ role: "user", content: `q${i}` }], params: {} }),
      ),
    );
    expect(outs.map((o) => o.text)).toEqual(Array.from({ length: 200 }, (_, i) => `Echo: q${i}`));
  });
});

describe("API keys", () => {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
  });
  afterAll(() => {
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
  });

  it("openai: without any key is a config error naming OPENAI_API_KEY", async () => {
    const err = await createProvider("openai:gpt-4o", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderConfigError);
    expect((err as Error).message).toContain("OPENAI_API_KEY");
  });

  it("a named but unset apiKeyEnv is a config error", async () => {
    const err = await createProvider("openai:gpt-4o", { apiKeyEnv: "CANDOR_NOPE_KEY" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderConfigError);
    expect((err as Error).message).toContain("CANDOR_NOPE_KEY");
  });

  it("does not send OPENAI_API_KEY to openai-compatible servers", async () => {
    process.env.OPENAI_API_KEY = "sk-real-openai-key-123456";
    try {
      // The server only accepts the placeholder: sending the real key would be a 401.
      const s = await startOpenAIServer({ apiKey: "not-needed" });
      const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
      await expect(p.generate(req)).resolves.toBeDefined();
      await s.close();
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });
});
