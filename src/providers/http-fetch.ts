/**
 * A lean `fetch` for the OpenAI and Anthropic SDKs, built on node:http(s) with shared
 * keep-alive agents.
 *
 * Why: Node 20's global fetch (bundled undici) costs ~160 µs of main-thread time per small
 * JSON request (WHATWG streams, Headers validation, body mixins). Against a local server this
 * caps the SDK at ~4k req/s on one core, below the engine's target. This implementation
 * writes the request with node:http, buffers the (small, JSON) response and returns a real
 * `Response` whose `json()`/`text()` read the buffer directly, skipping the stream machinery.
 * See bench/providers/openai-throughput.ts for the numbers.
 *
 * Replies are read up to a byte limit (`max_response_bytes`): a server that sends megabytes, or
 * never stops, costs at most that much memory (see reply.ts for what becomes of the reply).
 *
 * Anything unusual (a `Request` object, a streaming or form body, non-http URLs) goes to the
 * global fetch, so the SDKs keep working for every call shape.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { DEFAULT_MAX_RESPONSE_BYTES, parseReplyJson, ResponseTooLarge } from "./reply.js";

/** Response headers the OpenAI and Anthropic SDKs (and candor) read from a successful reply. */
const SUCCESS_HEADERS = new Set([
  "content-type",
  "x-request-id",
  "request-id",
  "x-should-retry",
  "retry-after",
  "retry-after-ms",
  "openai-processing-ms",
]);

const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 1024 };
let httpAgent: HttpAgent | undefined;
let httpsAgent: HttpsAgent | undefined;

/** The process-wide keep-alive agents (created lazily, shared by every provider). */
export function sharedAgents(): { http: HttpAgent; https: HttpsAgent } {
  httpAgent ??= new HttpAgent(AGENT_OPTIONS);
  httpsAgent ??= new HttpsAgent(AGENT_OPTIONS);
  return { http: httpAgent, https: httpsAgent };
}

/**
 * A Response over an already-buffered body: `json()`/`text()` read the buffer instead of going
 * through web streams. (`body` stays null: the SDKs only read it when streaming, which we never
 * ask for.)
 */
class BufferedResponse extends Response {
  override readonly url: string;
  override readonly text: () => Promise<string>;
  override readonly json: () => Promise<unknown>;
  override readonly arrayBuffer: () => Promise<ArrayBuffer>;
  constructor(buf: Buffer, init: ResponseInit, url: string) {
    super(null, init);
    this.url = url;
    this.text = async () => buf.toString("utf8");
    this.json = async () => JSON.parse(buf.toString("utf8"));
    this.arrayBuffer = async () =>
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
}

/** The read-only part of WHATWG Headers the SDKs use, over a plain Map (names lower-case). */
class LeanHeaders {
  private readonly map: Map<string, string>;
  constructor(entries: readonly [string, string][]) {
    this.map = new Map(entries);
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  forEach(fn: (value: string, key: string, parent: LeanHeaders) => void): void {
    for (const [k, v] of this.map) fn(v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/**
 * A successful reply as the SDKs read it (status, ok, url, headers.get/entries, json,
 * text). Building a real `Response` costs ~15 µs of undici bookkeeping per request, which
 * at thousands of requests a second is the largest avoidable cost on the client. Error
 * replies keep the real `Response`, so error handling sees exactly what it expects.
 */
class LeanResponse {
  readonly ok = true;
  readonly redirected = false;
  readonly type = "basic";
  readonly body = null;
  readonly bodyUsed = false;
  readonly headers: LeanHeaders;
  constructor(
    private readonly buf: Buffer,
    readonly status: number,
    readonly statusText: string,
    headers: readonly [string, string][],
    readonly url: string,
  ) {
    this.headers = new LeanHeaders(headers);
  }
  async text(): Promise<string> {
    return this.buf.toString("utf8");
  }
  async json(): Promise<unknown> {
    return parseReplyJson(this.buf.toString("utf8"));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.buf.buffer.slice(
      this.buf.byteOffset,
      this.buf.byteOffset + this.buf.byteLength,
    ) as ArrayBuffer;
  }
  clone(): LeanResponse {
    return new LeanResponse(
      this.buf,
      this.status,
      this.statusText,
      [...this.headers.entries()],
      this.url,
    );
  }
}

function decode(buf: Buffer, encoding: string | undefined, maxOutputLength: number): Buffer {
  // maxOutputLength: a small compressed body must not inflate past the limit either.
  switch (encoding) {
    case undefined:
    case "":
    case "identity":
      return buf;
    case "gzip":
    case "x-gzip":
      return gunzipSync(buf, { maxOutputLength });
    case "deflate":
      return inflateSync(buf, { maxOutputLength });
    case "br":
      return brotliDecompressSync(buf, { maxOutputLength });
    default:
      throw new TypeError(`unsupported content-encoding ${encoding}`);
  }
}

function requestBody(body: RequestInit["body"]): string | Uint8Array | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return false;
}

function fetchFailed(cause: unknown): TypeError {
  // Same shape as undici's error, which the SDKs inspect for "timed out" / connection failures.
  return new TypeError("fetch failed", { cause });
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` over node:http(s) with keep-alive. Same contract as the global fetch for the
 * requests the SDKs send (method, headers, string/bytes body, signal), reading at most
 * DEFAULT_MAX_RESPONSE_BYTES of a reply.
 */
export function httpFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return limitedFetch(input, init, DEFAULT_MAX_RESPONSE_BYTES);
}

/** A request's headers as a plain object with lower-case names (for node:http). */
export function headerRecord(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (h instanceof Headers) {
    h.forEach((v, k) => {
      out[k] = v;
    });
  } else if (Array.isArray(h)) {
    for (const [k, v] of h) if (k !== undefined && v !== undefined) out[k.toLowerCase()] = v;
  } else if (h) {
    for (const [k, v] of Object.entries(h)) {
      if (v !== undefined) out[k.toLowerCase()] = typeof v === "string" ? v : v.join(", ");
    }
  }
  return out;
}

/** httpFetch reading at most `maxBytes` of a reply (ResponseTooLarge past it). */
export function boundedFetch(maxBytes: number): Fetch {
  return (input, init) => limitedFetch(input, init, maxBytes);
}

function limitedFetch(
  input: string | URL | Request,
  init: RequestInit | undefined,
  maxBytes: number,
): Promise<Response> {
  if (typeof input !== "string" && !(input instanceof URL)) return fetch(input, init);
  const url = typeof input === "string" ? new URL(input) : input;
  const body = requestBody(init?.body);
  const secure = url.protocol === "https:";
  if (body === false || (!secure && url.protocol !== "http:")) return fetch(input, init);

  const headers = headerRecord(init?.headers);
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));

  const signal = init?.signal ?? undefined;
  const agents = sharedAgents();
  const href = url.href;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const options = {
      agent: secure ? agents.https : agents.http,
      protocol: url.protocol,
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: (init?.method ?? "GET").toUpperCase(),
      headers,
    };
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        // Rare for APIs (e.g. http→https): let the global fetch apply the redirect rules
        // (method changes, dropping credentials across origins).
        res.resume();
        if (signal) signal.removeEventListener("abort", onAbort);
        resolve(fetch(input, init));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      const ok = status >= 200 && status < 300;
      const tooLarge = (prefix: Buffer) => {
        if (signal) signal.removeEventListener("abort", onAbort);
        // An error page that large is a broken server: a connection failure, retried.
        reject(
          ok
            ? new ResponseTooLarge(maxBytes, prefix)
            : fetchFailed(new Error(`HTTP ${status} reply larger than ${maxBytes} bytes`)),
        );
      };
      const onData = (c: Buffer) => {
        received += c.length;
        if (received <= maxBytes) {
          chunks.push(c);
          return;
        }
        // Stop reading: the socket is dropped (never reused) and nothing more is buffered.
        chunks.push(c.subarray(0, c.length - (received - maxBytes)));
        res.off("data", onData);
        res.destroy();
        tooLarge(Buffer.concat(chunks));
      };
      res.on("data", onData);
      res.on("error", (err) => {
        if (received <= maxBytes) reject(fetchFailed(err));
      });
      res.on("end", () => {
        if (signal) signal.removeEventListener("abort", onAbort);
        let buf: Buffer;
        try {
          const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          const enc = res.headers["content-encoding"];
          buf = decode(raw, typeof enc === "string" ? enc.toLowerCase() : undefined, maxBytes);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
            tooLarge(Buffer.alloc(0));
            return;
          }
          reject(fetchFailed(err));
          return;
        }
        const resHeaders: [string, string][] = [];
        const rh = res.rawHeaders;
        // Successful replies carry only the headers the SDKs read: filling a WHATWG Headers
        // object costs several µs per header, which shows at thousands of requests a second.
        const keepAll = (res.statusCode ?? 0) >= 300;
        for (let i = 0; i + 1 < rh.length; i += 2) {
          const name = rh[i]!.toLowerCase();
          const value = rh[i + 1];
          if (value === undefined || name === "content-encoding" || name === "content-length")
            continue;
          if (
            keepAll ||
            SUCCESS_HEADERS.has(name) ||
            name.startsWith("x-ratelimit") ||
            name.startsWith("anthropic-")
          ) {
            resHeaders.push([name, value]);
          }
        }
        resHeaders.push(["content-length", String(buf.length)]);
        if (status >= 200 && status < 300 && status !== 204) {
          resolve(
            new LeanResponse(
              buf,
              status,
              res.statusMessage ?? "",
              resHeaders,
              href,
            ) as unknown as Response,
          );
          return;
        }
        try {
          resolve(
            new BufferedResponse(
              status === 204 || status === 304 ? Buffer.alloc(0) : buf,
              { status, statusText: res.statusMessage ?? "", headers: resHeaders },
              href,
            ),
          );
        } catch (err) {
          reject(fetchFailed(err));
        }
      });
    };
    const req = secure ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      req.destroy();
      reject(reason ?? new DOMException("This operation was aborted", "AbortError"));
    };
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err) => {
      if (signal) signal.removeEventListener("abort", onAbort);
      if (signal?.aborted) reject(signal.reason);
      else reject(fetchFailed(err));
    });
    req.end(body);
  });
}
