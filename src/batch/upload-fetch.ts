/**
 * The `fetch` the batch clients give their SDK: a streamed upload (a batch file sent as a
 * multipart body) goes over node:http(s) with backpressure; everything else goes to the global
 * fetch, which streams result files fine.
 *
 * Why: Node 20's global fetch (bundled undici) keeps every chunk of a streamed request body
 * until the request ends (nodejs/undici#4058), so uploading a 90 MB batch file held 90 MB of
 * buffers however the SDK streamed it from disk. Piped into a node:http request, at most a
 * socket buffer's worth is in memory.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { headerRecord } from "../providers/http-fetch.js";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function responseOf(res: IncomingMessage): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const status = res.statusCode ?? 0;
  const empty = status === 204 || status === 304;
  if (empty) res.resume();
  return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
    status,
    statusText: res.statusMessage ?? "",
    headers,
  });
}

/** `fetch` with a ReadableStream body sent over node:http(s), piped with backpressure. */
export const uploadFetch: Fetch = (input, init) => {
  const body = init?.body;
  if (!(body instanceof ReadableStream) || (typeof input !== "string" && !(input instanceof URL))) {
    return fetch(input, init);
  }
  const url = typeof input === "string" ? new URL(input) : input;
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") return fetch(input, init);
  const signal = init?.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const options = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: (init?.method ?? "POST").toUpperCase(),
      headers: headerRecord(init?.headers),
      ...(signal && { signal }),
    };
    const onResponse = (res: IncomingMessage) => resolve(responseOf(res));
    const req = secure ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    // Same shape as undici's error, which the SDKs read as a connection failure.
    const failed = (cause: unknown) =>
      reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause }));
    req.on("error", failed);
    pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), req).catch(failed);
  });
};
