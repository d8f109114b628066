import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderConfigError } from "../../src/errors.js";
import {
  defaultModelCacheDir,
  matchesQuant,
  pickQuantFile,
  resolveHfModel,
} from "../../src/providers/hf-download.js";
import { createProvider } from "../../src/providers/index.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

const TOKEN = "hf_SECRETTOKEN123456";
const gguf = buildTinyGguf();
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

/** A fake Hub: file listing, resolve URLs (redirected to a "CDN" path), and failure modes. */
const hub = createServer((req, res) => {
  const url = req.url ?? "";
  seen.push({ url, headers: req.headers });
  if (url === "/api/models/acme/tiny-GGUF") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "acme/tiny-GGUF",
        siblings: [
          { rfilename: "README.md" },
          { rfilename: "tiny-Q4_K_M.gguf" },
          { rfilename: "tiny-Q4_K_M_L.gguf" },
          { rfilename: "tiny-Q8_0.gguf" },
          { rfilename: "big-Q2_K-00001-of-00002.gguf" },
          { rfilename: "big-Q2_K-00002-of-00002.gguf" },
        ],
      }),
    );
    return;
  }
  const m = /^\/acme\/tiny-GGUF\/resolve\/main\/(.+)$/.exec(url);
  if (m) {
    res.writeHead(302, { location: `/cdn/${m[1]}` });
    res.end();
    return;
  }
  if (
    url === "/cdn/tiny-Q8_0.gguf" ||
    url === "/cdn/tiny-Q4_K_M.gguf" ||
    url === "/cdn/tiny.gguf"
  ) {
    res.writeHead(200, { "content-length": String(gguf.length) });
    // Several chunks, so progress is reported more than once.
    const step = 64 * 1024;
    for (let i = 0; i < gguf.length; i += step) res.write(gguf.subarray(i, i + step));
    res.end();
    return;
  }
  if (url === "/cdn/truncated.gguf") {
    res.writeHead(200, { "content-length": String(gguf.length) });
    res.write(gguf.subarray(0, 1000));
    setTimeout(() => res.destroy(), 10);
    return;
  }
  if (url === "/cdn/login.gguf") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html>please log in</html>");
    return;
  }
  if (url === "/cdn/gated.gguf") {
    res.writeHead(401);
    res.end("unauthorized");
    return;
  }
  res.writeHead(404);
  res.end("not found");
});

let endpoint: string;
let cacheDir: string;
beforeAll(async () => {
  await new Promise<void>((r) => hub.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hub.closeAllConnections();
  await new Promise<void>((r) => hub.close(() => r()));
});
afterEach(() => {
  seen.length = 0;
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});
const freshCache = () => {
  cacheDir = mkdtempSync(join(tmpdir(), "candor-hf-"));
  return cacheDir;
};
const env = () => ({ HF_ENDPOINT: endpoint, HF_TOKEN: TOKEN });
/** A local port nothing listens on (connection refused). */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

async function configError(p: Promise<unknown>): Promise<ProviderConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderConfigError);
  return err as ProviderConfigError;
}

describe("hf download", () => {
  it("downloads a named file once, with progress and the token, atomically", async () => {
    const dir = freshCache();
    const progress: { done: number; total?: number }[] = [];
    const path = await resolveHfModel("acme/tiny-GGUF", "tiny.gguf", {
      cacheDir: dir,
      env: env(),
      onDownloadProgress: (p) => progress.push(p),
    });
    expect(path).toBe(join(dir, "acme", "tiny-GGUF", "tiny.gguf"));
    expect(readFileSync(path).equals(gguf)).toBe(true);
    expect(progress[0]).toMatchObject({ done: 0, total: gguf.length });
    expect(progress.at(-1)).toEqual({ file: "tiny.gguf", done: gguf.length, total: gguf.length });
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // The model and its provenance record (url, commit, sha256); no partial file left.
    expect(readdirSync(join(dir, "acme", "tiny-GGUF")).sort()).toEqual([
      "tiny.gguf",
      "tiny.gguf.candor-meta.json",
    ]);

    const n = seen.length;
    expect(await resolveHfModel("acme/tiny-GGUF", "tiny.gguf", { cacheDir: dir, env: env() })).toBe(
      path,
    );
    expect(seen.length).toBe(n);
  });

  it("resolves a quant name through the file listing, then works offline", async () => {
    const dir = freshCache();
    const path = await resolveHfModel("acme/tiny-GGUF", "Q4_K_M", { cacheDir: dir, env: env() });
    expect(path.endsWith("tiny-Q4_K_M.gguf")).toBe(true);
    expect(seen.map((s) => s.url)).toEqual([
      "/api/models/acme/tiny-GGUF",
      "/acme/tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf",
      "/cdn/tiny-Q4_K_M.gguf",
    ]);
    const offline = { HF_ENDPOINT: await closedPort() };
    expect(await resolveHfModel("acme/tiny-GGUF", "q4_k_m", { cacheDir: dir, env: offline })).toBe(
      path,
    );
  });

  it("explains a quant that does not exist or is split", async () => {
    const dir = freshCache();
    const missing = await configError(
      resolveHfModel("acme/tiny-GGUF", "Q5_K_S", { cacheDir: dir, env: env() }),
    );
    expect(missing.message).toContain("tiny-Q8_0.gguf");
    const split = await configError(
      resolveHfModel("acme/tiny-GGUF", "Q2_K", { cacheDir: dir, env: env() }),
    );
    expect(split.message).toContain("split");
  });

  it("offline: names the URL and says how to use a local file", async () => {
    const dir = freshCache();
    const offline = await closedPort();
    const err = await configError(
      resolveHfModel("acme/tiny-GGUF", "tiny.gguf", {
        cacheDir: dir,
        env: { HF_ENDPOINT: offline, HF_TOKEN: TOKEN },
      }),
    );
    expect(err.message).toContain(`${offline}/acme/tiny-GGUF/resolve/main/tiny.gguf`);
    expect(err.message).toContain("download it yourself");
    expect(err.message).toContain("llama:./path/to/file.gguf");
    expect(err.message).toContain("ECONNREFUSED");
    expect(err.message).not.toContain(TOKEN);
    const q = await configError(
      resolveHfModel("acme/tiny-GGUF", "Q8_0", {
        cacheDir: dir,
        env: { HF_ENDPOINT: offline },
      }),
    );
    expect(q.message).toContain("llama:./path/to/file.gguf");
  });

  it("never leaves a partial or non-GGUF file behind", async () => {
    const dir = freshCache();
    const cut = await configError(
      resolveHfModel("acme/tiny-GGUF", "truncated.gguf", { cacheDir: dir, env: env() }),
    );
    expect(cut.message).toMatch(/interrupted|ended after/);
    const html = await configError(
      resolveHfModel("acme/tiny-GGUF", "login.gguf", { cacheDir: dir, env: env() }),
    );
    expect(html.message).toContain("did not return a GGUF");
    expect(readdirSync(join(dir, "acme", "tiny-GGUF"))).toEqual([]);
  });

  it("points at HF_TOKEN for gated repos without printing it", async () => {
    const dir = freshCache();
    const err = await configError(
      resolveHfModel("acme/tiny-GGUF", "gated.gguf", { cacheDir: dir, env: env() }),
    );
    expect(err.message).toContain("401");
    expect(err.message).toContain("HF_TOKEN");
    expect(err.message).not.toContain(TOKEN);
  });

  it("rejects path tricks in file names", async () => {
    await configError(resolveHfModel("acme/tiny-GGUF", "../../etc/x.gguf", { env: env() }));
  });

  it("llama:hf: refs download into opts.cacheDir and load", async () => {
    const dir = freshCache();
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = endpoint;
    try {
      const progress: number[] = [];
      const p = await createProvider("llama:hf:acme/tiny-GGUF:Q8_0", {
        cacheDir: dir,
        onDownloadProgress: (e) => progress.push(e.done),
        llama: { threads: 1, sequences: 1, contextSize: 256 },
      });
      expect(existsSync(join(dir, "acme", "tiny-GGUF", "tiny-Q8_0.gguf"))).toBe(true);
      expect(progress.at(-1)).toBe(gguf.length);
      const out = await p.generate({
        messages: [{ role: "user", content: "hi" }],
        params: { temperature: 0, maxTokens: 4 },
      });
      expect(out.completionTokens).toBeGreaterThan(0);
      await p.close();
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  });
});

describe("quant matching", () => {
  it("matches whole quant components only", () => {
    expect(matchesQuant("x-Q4_K_M.gguf", "Q4_K_M")).toBe(true);
    expect(matchesQuant("x.Q4_K_M.gguf", "q4_k_m")).toBe(true);
    expect(matchesQuant("x-Q4_K_M_L.gguf", "Q4_K_M")).toBe(false);
    expect(matchesQuant("x-IQ4_XS.gguf", "XS")).toBe(false);
    expect(matchesQuant("x-Q4_K_M.bin", "Q4_K_M")).toBe(false);
  });

  it("prefers the shortest single-file match", () => {
    expect(
      pickQuantFile("a/b", ["sub/model-Q8_0.gguf", "model-Q8_0.gguf", "model-Q4_0.gguf"], "Q8_0"),
    ).toBe("model-Q8_0.gguf");
  });

  it("defaults the cache to XDG_CACHE_HOME or ~/.cache", () => {
    expect(defaultModelCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/candor/models");
    expect(defaultModelCacheDir({})).toMatch(/\.cache\/candor\/models$/);
  });
});
