import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { uploadFetch } from "../../src/batch/upload-fetch.js";

const CHUNK = 64 * 1024;
// A full collection on demand, to see which chunks are still referenced.
setFlagsFromString("--expose-gc");

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function listen(
  handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void,
) {
  server = createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `total` bytes in 64 KiB chunks, counting what the consumer has pulled. */
function source(total: number, pulled: { bytes: number }): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= total) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(CHUNK, total - pulled.bytes)).fill(
        (pulled.bytes / CHUNK) % 251,
      );
      pulled.bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

describe("uploadFetch (streamed batch uploads over node:http)", () => {
  it("sends a streamed body intact and returns the reply's status, headers and body", async () => {
    const base = await listen(async (req, res) => {
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const c of req) {
        hash.update(c as Buffer);
        bytes += (c as Buffer).length;
      }
      res.writeHead(201, { "content-type": "application/json", "x-request-id": "req_1" });
      res.end(
        JSON.stringify({
          method: req.method,
          path: req.url,
          auth: req.headers.authorization,
          bytes,
          sha: hash.digest("hex"),
        }),
      );
    });
    const total = 3 * 1024 * 1024 + 17;
    const expected = createHash("sha256");
    const check = { bytes: 0 };
    const reader = source(total, check).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) expected.update(r.value);
    const res = await uploadFetch(`${base}/v1/files?x=1`, {
      method: "post",
      headers: new Headers({ authorization: "Bearer sk-test" }),
      body: source(total, { bytes: 0 }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe("req_1");
    expect(await res.json()).toEqual({
      method: "POST",
      path: "/v1/files?x=1",
      auth: "Bearer sk-test",
      bytes: total,
      sha: expected.digest("hex"),
    });
  });

  it("keeps no chunk the server has received (Node 20's fetch keeps them all)", async () => {
    const sent: WeakRef<Uint8Array>[] = [];
    let received = 0;
    const gotEnough = { resolve: () => {} };
    const enough = new Promise<void>((r) => {
      gotEnough.resolve = r;
    });
    // The server takes 8 MiB of a 32 MiB upload and then stops reading, holding the request open.
    const base = await listen((req) => {
      req.on("data", (c: Buffer) => {
        received += c.length;
        if (received >= 8 * 1024 * 1024) {
          req.pause();
          gotEnough.resolve();
        }
      });
    });
    const controller = new AbortController();
    const pulled = { bytes: 0 };
    const body = source(32 * 1024 * 1024, pulled);
    const tracked = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          sent.push(new WeakRef(chunk));
          c.enqueue(chunk);
        },
      }),
    );
    const pending = uploadFetch(`${base}/upload`, {
      method: "POST",
      body: tracked,
      duplex: "half",
      signal: controller.signal,
    } as RequestInit).catch(() => undefined);
    await enough;
    // The first 4 MiB (64 chunks) are on the server: nothing should hold them any more.
    const gc = runInNewContext("gc") as () => void;
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const alive = sent.slice(0, 64).filter((w) => w.deref() !== undefined).length;
    controller.abort();
    await pending;
    expect(sent.length).toBeGreaterThanOrEqual(64);
    expect(alive).toBe(0);
  });

  it("passes a request without a streamed body to the global fetch", async () => {
    const base = await listen((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`${req.method} ${req.url}`);
    });
    const res = await uploadFetch(`${base}/v1/batches/b1`);
    expect(await res.text()).toBe("GET /v1/batches/b1");
  });

  it("rejects with the abort reason when the signal fires mid-upload", async () => {
    const base = await listen((req) => {
      req.once("data", () => req.pause());
    });
    const controller = new AbortController();
    const pulled = { bytes: 0 };
    const pending = uploadFetch(`${base}/upload`, {
      method: "POST",
      body: source(64 * 1024 * 1024, pulled),
      duplex: "half",
      signal: controller.signal,
    } as RequestInit);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
