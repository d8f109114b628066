import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { ProviderConfigError } from "../../src/errors.js";
import { parseRetryAfter, scrub } from "../../src/providers/call-errors.js";
import { httpFetch } from "../../src/providers/http-fetch.js";
import { createProvider, redactRef } from "../../src/providers/index.js";
import {
  exampleForSchema,
  spawnOpenAIServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";

describe("parseRetryAfter", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it("reads retry-after-ms, seconds and HTTP dates", () => {
    expect(parseRetryAfter(h({ "retry-after-ms": "1500.4" }))).toBe(1500);
    expect(parseRetryAfter(h({ "retry-after": "2" }))).toBe(2000);
    expect(parseRetryAfter(h({ "retry-after": "0.5" }))).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter(h({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" }), now)).toBe(7000);
    expect(parseRetryAfter(h({ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(h({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfter(h({}))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe("secrets", () => {
  it("scrubs configured secrets and key-shaped strings", () => {
    expect(scrub("bad key my-secret-value here", ["my-secret-value"])).toBe("bad key *** here");
    expect(scrub("Incorrect API key provided: sk-proj-abc123XYZ789", [])).not.toContain("abc123");
  });
  it("strips credentials from URLs in refs", () => {
    expect(redactRef("openai-compatible:https://u:p@host/v1#m")).toBe(
      "openai-compatible:https://host/v1#m",
    );
  });
});

describe("createProvider", () => {
  it("rejects bad references with the parser's reason", async () => {
    for (const ref of ["gpt-4o", "openai-compatible:localhost#m", "llama:model.bin", "x:y"]) {
      const err = await createProvider(ref, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderConfigError);
      expect((err as Error).message).toMatch(/expected/);
    }
  });
});

describe("httpFetch", () => {
  it("decodes gzip, keeps status/headers, and works as the SDK's fetch", async () => {
    const body = JSON.stringify({ object: "list", data: [{ id: "m1", object: "model" }] });
    const server = createServer((req, res) => {
      if (req.url === "/old/models") {
        res.writeHead(308, { location: "/v1/models" });
        res.end();
      } else if (req.url === "/v1/models") {
        res.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "x-request-id": "req_1",
        });
        res.end(gzipSync(body));
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await httpFetch(`${base}/v1/models`);
      expect(r.status).toBe(200);
      expect(r.ok).toBe(true);
      expect(r.headers.get("x-request-id")).toBe("req_1");
      expect(r.headers.get("content-encoding")).toBeNull();
      expect(r.url).toBe(`${base}/v1/models`);
      expect(await r.json()).toEqual(JSON.parse(body));
      const moved = await httpFetch(`${base}/old/models`);
      expect(await moved.json()).toEqual(JSON.parse(body));
      const empty = await httpFetch(new URL(`${base}/nothing`), { method: "DELETE" });
      expect(empty.status).toBe(204);
      expect(await empty.text()).toBe("");
      const client = new OpenAI({
        apiKey: "k",
        baseURL: `${base}/v1`,
        fetch: httpFetch,
        maxRetries: 0,
      });
      const models = await client.models.list();
      expect(models.data.map((m) => m.id)).toEqual(["m1"]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("rejects with the abort reason", async () => {
    const s = await startOpenAIServer({ latencyMs: 1000 });
    try {
      const ac = new AbortController();
      const p = httpFetch(`${s.baseURL}/chat/completions`, {
        method: "POST",
        body: "{}",
        signal: ac.signal,
      });
      ac.abort(new Error("stop"));
      await expect(p).rejects.toThrow("stop");
    } finally {
      await s.close();
    }
  });
});

describe("fake OpenAI server", () => {
  it("fills schemas: required strings, first enum values, nested objects", () => {
    expect(
      exampleForSchema({
        type: "object",
        properties: {
          a: { type: "string" },
          b: { enum: ["X", "Y"] },
          c: { type: "object", properties: { d: { type: "integer", minimum: 1 } } },
          e: { type: "array", items: { type: "boolean" }, minItems: 1 },
          f: { type: "string" },
        },
        required: ["a", "b", "c", "e"],
      }),
    ).toEqual({ a: "x", b: "X", c: { d: 1 }, e: [false] });
  });

  it("serves /v1/completions with echoed prompt logprobs and /v1/models", async () => {
    const s = await startOpenAIServer();
    try {
      const client = new OpenAI({
        apiKey: "k",
        baseURL: s.baseURL,
        fetch: httpFetch,
        maxRetries: 0,
      });
      const c = await client.completions.create({
        model: "m",
        prompt: "The capital of France is Paris",
        echo: true,
        max_tokens: 0,
        logprobs: 1,
      });
      const lp = c.choices[0]!.logprobs!;
      expect(c.choices[0]!.text).toBe("The capital of France is Paris");
      expect(lp.tokens).toEqual(["The", " capital", " of", " France", " is", " Paris"]);
      expect(lp.token_logprobs![0]).toBeNull();
      expect(lp.token_logprobs!.slice(1).every((x) => typeof x === "number" && x < 0)).toBe(true);
      expect((await client.models.list()).data[0]!.id).toBe("fake-model");
      expect(s.stats.byPath["/v1/completions"]).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("runs as a child process and reports stats", async () => {
    const s = await spawnOpenAIServer({ faultRate: 1, faultStatus: 500 });
    try {
      const p = await createProvider(`openai-compatible:${s.baseURL}#m`, {});
      await expect(
        p.generate({ messages: [{ role: "user", content: "hi" }], params: {} }),
      ).rejects.toMatchObject({ status: 500, retryable: true });
      const stats = await s.stats();
      expect(stats.faults).toBe(1);
    } finally {
      await s.close();
    }
  });
});
