/**
 * An OpenAI-compatible test server on node:http (127.0.0.1, ephemeral port).
 *
 * Serves POST /v1/chat/completions, POST /v1/completions (prompt logprobs with echo),
 * GET /v1/models and GET /_stats. Used in-process by tests, and as a child process by
 * benchmarks so that client and server do not share one JavaScript thread:
 *
 *   node --import tsx test/helpers/openai-server.ts --port 0 [--latency-ms N]
 *        [--fault-rate F] [--fault-seed S] [--fault-status 429|500] [--retry-after S]
 *        [--api-key K]
 *
 * prints `listening <baseURL>` on stdout (see `spawnOpenAIServer`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "./rng.js";

export interface FakeChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  response_format?: unknown;
  raw: Record<string, unknown>;
}

export interface FakeServerOptions {
  /** Reply text for a chat request (default: deterministic text derived from the last user message). May be async. */
  reply?: (req: FakeChatRequest) => string | Promise<string>;
  /** Fraction of chat/completions requests answered with 429 or 500 (seeded RNG), with Retry-After on 429. */
  faultRate?: number;
  faultSeed?: number;
  /** Answer every fault with this status instead of a seeded 429/500 mix. */
  faultStatus?: 429 | 500;
  /** Retry-After header value sent with 429 faults (default "0"); null sends none. */
  retryAfter?: string | null;
  /** Extra headers sent with 429 faults, e.g. {"retry-after-ms": "250"}. */
  faultHeaders?: Record<string, string>;
  /** Delay before every answer. */
  latencyMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get an OpenAI-style 401. */
  apiKey?: string;
  /** Also serves /v1/completions (prompt logprobs with echo) and /v1/models (always on). */
  /**
   * A chat request this server refuses, as an OpenAI-style error (e.g. 400 for a
   * response_format it does not support); undefined answers normally.
   */
  reject?: (req: FakeChatRequest) => { status: number; message: string } | undefined;
}

export interface FakeServerStats {
  requests: number;
  faults: number;
  byPath: Record<string, number>;
}

export interface FakeServer {
  /** Ends with /v1. */
  baseURL: string;
  stats: FakeServerStats;
  /** Connections still open: 0 once a killed client's requests have all been read and counted. */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value that validates against simple JSON schemas: strings "x", enums' first value, etc. */
export function exampleForSchema(schema: unknown, depth = 0): unknown {
  if (!isRecord(schema) || depth > 8) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    const alts = schema[k];
    if (Array.isArray(alts) && alts.length > 0) return exampleForSchema(alts[0], depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : Object.keys(props);
      for (const key of required) {
        if (typeof key === "string") out[key] = exampleForSchema(props[key], depth + 1);
      }
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: min }, () => exampleForSchema(schema.items, depth + 1));
    }
    case "string":
      return "x";
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return isRecord(schema.properties) ? exampleForSchema({ ...schema, type: "object" }) : "x";
  }
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (isRecord(p) && typeof p.text === "string" ? p.text : "")).join("");
  }
  return "";
}

/** The default reply: schema-shaped JSON for json_schema requests, else text from the last user message. */
export function defaultReply(req: FakeChatRequest): string {
  const rf = req.response_format;
  if (isRecord(rf) && rf.type === "json_schema" && isRecord(rf.json_schema)) {
    return JSON.stringify(exampleForSchema(rf.json_schema.schema));
  }
  if (isRecord(rf) && rf.type === "json_object") return "{}";
  let last = "";
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i]!;
    if (m.role === "user") {
      last = m.content;
      break;
    }
  }
  return `Echo: ${last.length > 80 ? last.slice(0, 80) : last}`;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

function send(
  res: ServerResponse,
  status: number,
  body: string,
  extra?: Record<string, string>,
): void {
  res.writeHead(status, {
    ...JSON_HEADERS,
    "content-length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function errorBody(message: string, type: string, code: string | null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const space = s.charCodeAt(i) <= 32;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

let idCounter = 0;

function chatCompletionBody(req: FakeChatRequest, text: string): string {
  let promptTokens = 0;
  for (const m of req.messages) promptTokens += countWords(m.content) + 3;
  const completionTokens = countWords(text);
  return JSON.stringify({
    id: `chatcmpl-${++idCounter}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: req.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text, refusal: null },
        finish_reason: "stop",
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  });
}

/** /v1/completions: whitespace "tokens", deterministic log-probs; echo returns the prompt's. */
function completionBody(raw: Record<string, unknown>): string {
  const prompt = typeof raw.prompt === "string" ? raw.prompt : contentText(raw.prompt);
  const echo = raw.echo === true;
  const maxTokens = typeof raw.max_tokens === "number" ? raw.max_tokens : 16;
  const nTop = typeof raw.logprobs === "number" ? raw.logprobs : 0;
  const gen = maxTokens > 0 ? " ok" : "";
  const text = (echo ? prompt : "") + gen;
  const tokens: string[] = [];
  const offsets: number[] = [];
  const re = /\s*\S+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    tokens.push(m[0]);
    offsets.push(m.index);
  }
  const logp = tokens.map((t, i) => (i === 0 && echo ? null : -((t.length % 7) + 1) / 4));
  const top = tokens.map((t, i) =>
    i === 0 && echo ? null : nTop > 0 ? { [t]: logp[i] ?? 0, " the": -3 } : null,
  );
  return JSON.stringify({
    id: `cmpl-${++idCounter}`,
    object: "text_completion",
    created: 1_700_000_000,
    model: typeof raw.model === "string" ? raw.model : "fake",
    choices: [
      {
        index: 0,
        text,
        finish_reason: "length",
        logprobs:
          raw.logprobs === undefined || raw.logprobs === null
            ? null
            : { tokens, token_logprobs: logp, top_logprobs: top, text_offset: offsets },
      },
    ],
    usage: { prompt_tokens: countWords(prompt), completion_tokens: gen ? 1 : 0 },
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function toChatRequest(raw: Record<string, unknown>): FakeChatRequest {
  const messages = Array.isArray(raw.messages)
    ? raw.messages.map((m) =>
        isRecord(m)
          ? { role: String(m.role), content: contentText(m.content) }
          : { role: "user", content: "" },
      )
    : [];
  const out: FakeChatRequest = {
    model: typeof raw.model === "string" ? raw.model : "",
    messages,
    raw,
  };
  if (typeof raw.temperature === "number") out.temperature = raw.temperature;
  const mt = raw.max_tokens ?? raw.max_completion_tokens;
  if (typeof mt === "number") out.max_tokens = mt;
  if (raw.response_format !== undefined) out.response_format = raw.response_format;
  return out;
}

export async function startOpenAIServer(
  opts: FakeServerOptions = {},
  port = 0,
): Promise<FakeServer> {
  const stats: FakeServerStats = { requests: 0, faults: 0, byPath: {} };
  const reply = opts.reply ?? defaultReply;
  const faultRate = opts.faultRate ?? 0;
  const random = mulberry32(opts.faultSeed ?? 42);
  const latency = opts.latencyMs ?? 0;
  const retryAfter = opts.retryAfter === undefined ? "0" : opts.retryAfter;
  const expectedAuth = opts.apiKey === undefined ? undefined : `Bearer ${opts.apiKey}`;

  const answer = (
    res: ServerResponse,
    status: number,
    body: string,
    extra?: Record<string, string>,
  ) => {
    if (latency > 0) setTimeout(() => send(res, status, body, extra), latency);
    else send(res, status, body, extra);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? "/";
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    if (req.method === "GET" && path === "/_stats") {
      send(res, 200, JSON.stringify(stats));
      return;
    }
    if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
      await readBody(req);
      answer(
        res,
        401,
        errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
      );
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      send(
        res,
        200,
        JSON.stringify({
          object: "list",
          data: [{ id: "fake-model", object: "model", created: 1_700_000_000, owned_by: "candor" }],
        }),
      );
      return;
    }
    if (req.method !== "POST" || (path !== "/v1/chat/completions" && path !== "/v1/completions")) {
      await readBody(req);
      send(
        res,
        404,
        errorBody(`Unknown route ${req.method} ${path}`, "invalid_request_error", null),
      );
      return;
    }
    const text = await readBody(req);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      send(res, 400, errorBody("We could not parse the JSON body.", "invalid_request_error", null));
      return;
    }
    if (!isRecord(raw)) {
      send(res, 400, errorBody("Body must be a JSON object.", "invalid_request_error", null));
      return;
    }
    if (faultRate > 0 && random() < faultRate) {
      stats.faults++;
      const status = opts.faultStatus ?? (random() < 0.5 ? 429 : 500);
      if (status === 429) {
        const headers: Record<string, string> = { ...opts.faultHeaders };
        if (retryAfter !== null) headers["retry-after"] = retryAfter;
        answer(
          res,
          429,
          errorBody("Rate limit reached.", "requests", "rate_limit_exceeded"),
          headers,
        );
      } else {
        answer(res, 500, errorBody("The server had an error.", "server_error", null));
      }
      return;
    }
    if (path === "/v1/completions") {
      answer(res, 200, completionBody(raw));
      return;
    }
    const chat = toChatRequest(raw);
    const refused = opts.reject?.(chat);
    if (refused) {
      answer(res, refused.status, errorBody(refused.message, "invalid_request_error", null));
      return;
    }
    const r = reply(chat);
    const out = typeof r === "string" ? r : await r;
    answer(res, 200, chatCompletionBody(chat, out));
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        send(res, 500, errorBody(`fake server error: ${String(err)}`, "server_error", null));
      } else res.destroy();
    });
  });
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${addr.port}/v1`,
    stats,
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SpawnedServer {
  baseURL: string;
  child: ChildProcess;
  /** Fetches the child's counters. */
  stats(): Promise<FakeServerStats>;
  close(): Promise<void>;
}

/** Options a child server accepts (no `reply` function: it cannot cross the process boundary). */
export type SpawnServerOptions = Omit<FakeServerOptions, "reply" | "faultHeaders">;

/** Starts the server in a child process (`node --import tsx`), so it gets its own thread. */
export async function spawnOpenAIServer(opts: SpawnServerOptions = {}): Promise<SpawnedServer> {
  const args = ["--import", "tsx", fileURLToPath(import.meta.url), "--port", "0"];
  if (opts.latencyMs !== undefined) args.push("--latency-ms", String(opts.latencyMs));
  if (opts.faultRate !== undefined) args.push("--fault-rate", String(opts.faultRate));
  if (opts.faultSeed !== undefined) args.push("--fault-seed", String(opts.faultSeed));
  if (opts.faultStatus !== undefined) args.push("--fault-status", String(opts.faultStatus));
  if (opts.retryAfter !== undefined && opts.retryAfter !== null)
    args.push("--retry-after", opts.retryAfter);
  if (opts.apiKey !== undefined) args.push("--api-key", opts.apiKey);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const baseURL = await new Promise<string>((resolve, reject) => {
    let buf = "";
    const onData = (c: Buffer) => {
      buf += c.toString("utf8");
      const m = /listening (\S+)/.exec(buf);
      if (m) {
        child.stdout?.off("data", onData);
        resolve(m[1]!);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`fake server exited early (code ${code})`)));
    child.once("error", reject);
  });
  const root = baseURL.replace(/\/v1$/, "");
  return {
    baseURL,
    child,
    stats: async () => (await (await fetch(`${root}/_stats`)).json()) as FakeServerStats,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const argv = process.argv.slice(2);
  const num = (name: string): number | undefined => {
    const v = argValue(argv, name);
    return v === undefined ? undefined : Number(v);
  };
  const o: FakeServerOptions = {};
  const latencyMs = num("--latency-ms");
  if (latencyMs !== undefined) o.latencyMs = latencyMs;
  const faultRate = num("--fault-rate");
  if (faultRate !== undefined) o.faultRate = faultRate;
  const faultSeed = num("--fault-seed");
  if (faultSeed !== undefined) o.faultSeed = faultSeed;
  const faultStatus = num("--fault-status");
  if (faultStatus === 429 || faultStatus === 500) o.faultStatus = faultStatus;
  const retryAfter = argValue(argv, "--retry-after");
  if (retryAfter !== undefined) o.retryAfter = retryAfter;
  const apiKey = argValue(argv, "--api-key");
  if (apiKey !== undefined) o.apiKey = apiKey;
  const server = await startOpenAIServer(o, num("--port") ?? 0);
  process.stdout.write(`listening ${server.baseURL}\n`);
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
