/**
 * Replies no well-behaved API sends: huge or endless bodies, null content, an HTML page with
 * status 200, a JSON array, JSON cut off mid-way. Served by a raw node:http server on
 * 127.0.0.1 so the bytes on the wire are exactly the hostile ones.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/index.js";
import { EmptyReply, TRUNCATED_FINISH } from "../../src/providers/reply.js";
import type { GenerateRequest } from "../../src/providers/types.js";
import { callError as failure } from "./call-error.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const req: GenerateRequest = {
  messages: [{ role: "user", content: "What is the capital of France?" }],
  params: {},
};

function completion(content: string | null): string {
  return JSON.stringify({
    id: "c1",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

const json = { "content-type": "application/json" };
const LIMIT = 64 * 1024;

async function openai(base: string, maxResponseBytes = LIMIT) {
  return createProvider(`openai-compatible:${base}/v1#m`, { maxResponseBytes });
}

describe("reply size cap (max_response_bytes)", () => {
  it("keeps the start of a 5 MB answer, flagged as truncated", async () => {
    const answer = `Paris. ${"x".repeat(5 * 1024 * 1024)}`;
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.end(completion(answer));
    });
    const out = await (await openai(base)).generate(req);
    expect(out.finishReason).toBe(TRUNCATED_FINISH);
    expect(out.text.startsWith("Paris. xxx")).toBe(true);
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(LIMIT);
    expect(out.text.length).toBeGreaterThan(LIMIT / 2);
  });

  it("stops reading an endless body and drops the connection", async () => {
    let closed = false;
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.write('{"choices":[{"index":0,"message":{"role":"assistant","content":"Paris ');
      const chunk = "é".repeat(8192);
      const pump = () => {
        while (!closed && res.write(chunk)) {}
        if (!closed) res.once("drain", pump);
      };
      res.on("close", () => {
        closed = true;
      });
      pump();
    });
    const out = await (await openai(base)).generate(req);
    expect(out.finishReason).toBe(TRUNCATED_FINISH);
    expect(out.text.startsWith("Paris é")).toBe(true);
    // A multi-byte character cut at the limit is dropped, never stored as U+FFFD.
    expect(out.text.endsWith("é")).toBe(true);
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(LIMIT);
    await expect.poll(() => closed).toBe(true);
  });

  it("bounds a compressed body by its decompressed size", async () => {
    const { gzipSync } = await import("node:zlib");
    const body = gzipSync(completion("a".repeat(4 * 1024 * 1024)));
    expect(body.length).toBeLessThan(LIMIT);
    const base = await serve((_q, res) => {
      res.writeHead(200, { ...json, "content-encoding": "gzip" });
      res.end(body);
    });
    const out = await (await openai(base)).generate(req);
    expect(out.finishReason).toBe(TRUNCATED_FINISH);
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(LIMIT);
  });

  it("bounds Anthropic replies the same way", async () => {
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.end(
        JSON.stringify({
          id: "m1",
          type: "message",
          role: "assistant",
          model: "claude-x",
          content: [{ type: "text", text: `Paris ${"y".repeat(2 * 1024 * 1024)}` }],
          stop_reason: "end_turn",
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
      );
    });
    const p = await createProvider("anthropic:claude-x", {
      apiKey: "sk-ant-test-key-123456",
      baseURL: base,
      maxResponseBytes: LIMIT,
    });
    const out = await p.generate(req);
    expect(out.finishReason).toBe(TRUNCATED_FINISH);
    expect(out.text.startsWith("Paris yyy")).toBe(true);
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(LIMIT);
  });

  it("leaves an answer under the limit untouched", async () => {
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.end(completion("Paris."));
    });
    const out = await (await openai(base)).generate(req);
    expect(out).toMatchObject({ text: "Paris.", finishReason: "stop" });
  });
});

describe("replies that are not an answer", () => {
  it("null content is an empty reply, retryable", async () => {
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.end(completion(null));
    });
    const err = await failure((await openai(base)).generate(req));
    expect(err).toBeInstanceOf(EmptyReply);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("no content");
  });

  it("an HTML page with status 200 names the model and quotes the page", async () => {
    const base = await serve((_q, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body><h1>Welcome to nginx!</h1></body></html>");
    });
    const ref = `openai-compatible:${base.replace("http://", "http://bob:hunter2@")}/v1?api_key=s3cr3t#m`;
    const err = await failure((await createProvider(ref, {})).generate(req));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`openai-compatible:${base}/v1#m`);
    expect(err.message).toContain("Welcome to nginx");
    expect(err.message).toContain("expected a chat completion");
    expect(err.message).not.toMatch(/hunter2|s3cr3t/);
  });

  it("a JSON array says what was expected", async () => {
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.end('[{"text":"Paris"}]');
    });
    const err = await failure((await openai(base)).generate(req));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /expected a chat completion .*got "\[\{\\"text\\":\\"Paris\\"\}\]"/,
    );
  });

  it("JSON cut off mid-way is transient (retried)", async () => {
    const base = await serve((_q, res) => {
      res.writeHead(200, json);
      res.end(completion("Paris").slice(0, 60));
    });
    const err = await failure((await openai(base)).generate(req));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("ended in the middle of its JSON");
    expect(err.message).toContain("openai-compatible:");
  });
});
