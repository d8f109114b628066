/**
 * `llama:hf:<user>/<repo>:<file-or-quant>`: fetch a GGUF from the Hugging Face Hub into the
 * user's cache once, then load it from disk.
 *
 * - Files live at `<cacheDir>/<user>/<repo>/<file>`; cacheDir defaults to
 *   `$XDG_CACHE_HOME/candor/models` or `~/.cache/candor/models`.
 * - The Hub is `https://huggingface.co`, or `HF_ENDPOINT` (tests point it at a local server).
 * - A quant name (`Q4_K_M`) is resolved through `/api/models/<repo>` (the `siblings` list) to
 *   the single-file .gguf whose name contains it. Already-cached files matching the quant are
 *   used without asking the network, so a downloaded model keeps working offline.
 * - Downloads stream to a temp file in the same folder and are renamed into place only when
 *   complete and starting with the GGUF magic, so a crash never leaves a corrupt model.
 * - `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`) is sent as a bearer token when set, and never
 *   appears in messages.
 * - A finished download records its URL, the hub commit (X-Repo-Commit) and sha256 in
 *   `<file>.candor-meta.json` (model-provenance.ts), so runs can record what they loaded.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, sep } from "node:path";
import { ProviderConfigError } from "../errors.js";
import { abandonStream, closeStream, openWriteStream, writeChunk } from "../io/write-stream.js";
import { scrub } from "./call-errors.js";
import { writeModelSidecar } from "./model-provenance.js";

export interface HfDownloadOptions {
  cacheDir?: string;
  onDownloadProgress?: (p: { file: string; done: number; total?: number }) => void;
  signal?: AbortSignal;
  /** Environment to read HF_ENDPOINT / HF_TOKEN / XDG_CACHE_HOME from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";
const PROGRESS_INTERVAL_MS = 100;

export function defaultModelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // Same root as dataset downloads: CANDOR_CACHE_DIR, else $XDG_CACHE_HOME/candor, else ~/.cache/candor.
  if (env.CANDOR_CACHE_DIR) return join(env.CANDOR_CACHE_DIR, "models");
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0
      ? env.XDG_CACHE_HOME
      : join(homedir(), ".cache");
  return join(base, "candor", "models");
}

function hfEndpoint(env: NodeJS.ProcessEnv): string {
  const e = env.HF_ENDPOINT && env.HF_ENDPOINT.length > 0 ? env.HF_ENDPOINT : DEFAULT_HF_ENDPOINT;
  return e.replace(/\/+$/, "");
}

/** HF_TOKEN, else HUGGING_FACE_HUB_TOKEN (the name older huggingface_hub versions use). */
export function hfToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim();
  return token ? token : undefined;
}

function authHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const token = hfToken(env);
  return token ? { authorization: `Bearer ${token}` } : {};
}

function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

/** The download URL of a file in a repo's main branch. */
export function hfFileUrl(
  repo: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return `${hfEndpoint(env)}/${encodePath(repo)}/resolve/main/${encodePath(file)}`;
}

function validate(repo: string, file: string): void {
  const bad = (s: string) => s.split("/").some((seg) => seg === ".." || seg === "." || seg === "");
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo) || bad(repo)) {
    throw new ProviderConfigError(`llama:hf: expected <user>/<repo>, got ${JSON.stringify(repo)}`);
  }
  if (bad(file) || file.includes("\\")) {
    throw new ProviderConfigError(`llama:hf: invalid file name ${JSON.stringify(file)}`);
  }
}

function offlineAdvice(url: string): string {
  return `download it yourself (${url}) and use llama:./path/to/file.gguf`;
}

function causeOf(err: unknown): string {
  let cur: unknown = err;
  const parts: string[] = [];
  for (let i = 0; i < 4 && typeof cur === "object" && cur !== null; i++) {
    const rec = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof rec.code === "string") parts.push(rec.code);
    else if (typeof rec.message === "string" && rec.message !== "fetch failed")
      parts.push(rec.message);
    cur = rec.cause;
  }
  return parts.join(": ") || String(err);
}

async function hubFetch(
  url: string,
  env: NodeJS.ProcessEnv,
  what: string,
  signal?: AbortSignal,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: authHeaders(env),
      redirect: "follow",
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    const token = hfToken(env);
    const secrets = token ? [token] : [];
    throw new ProviderConfigError(
      `could not reach the Hugging Face Hub for ${what} at ${url} (${scrub(causeOf(err), secrets)}); ${offlineAdvice(url)}`,
    );
  }
  if (res.ok) return res;
  await res.body?.cancel().catch(() => undefined);
  const hint =
    res.status === 401 || res.status === 403
      ? hfToken(env)
        ? "the HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) in the environment has no access to it (gated or private repo?)"
        : "the repo may be gated or private: accept its terms on the Hub and set HF_TOKEN or HUGGING_FACE_HUB_TOKEN"
      : res.status === 404
        ? "not found: check the repo and file name"
        : `HTTP ${res.status}`;
  throw new ProviderConfigError(
    `${what}: ${url} answered ${res.status} (${hint}); ${offlineAdvice(url)}`,
  );
}

/** Whether a file name contains the quant as a whole component (Q4_K_M ≠ Q4_K_M_L, IQ4_XS ≠ XS). */
export function matchesQuant(file: string, quant: string): boolean {
  if (!file.toLowerCase().endsWith(".gguf")) return false;
  const base = file
    .split("/")
    .pop()!
    .toLowerCase()
    .replace(/\.gguf$/, "");
  const q = quant.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[-.])${q}($|[-.])`).test(base);
}

const SPLIT_PART = /-\d{5}-of-\d{5}\.gguf$/i;

/** Picks the single-file GGUF for a quant from a repo listing, or explains why none fits. */
export function pickQuantFile(repo: string, files: readonly string[], quant: string): string {
  const ggufs = files.filter((f) => f.toLowerCase().endsWith(".gguf"));
  const matches = ggufs.filter((f) => matchesQuant(f, quant));
  const single = matches.filter((f) => !SPLIT_PART.test(f));
  if (single.length > 0) {
    return [...single].sort((a, b) => a.length - b.length || a.localeCompare(b))[0]!;
  }
  if (matches.length > 0) {
    throw new ProviderConfigError(
      `llama:hf:${repo}:${quant}: the ${quant} model is split into parts (${matches[0]}, …), which candor does not join; download the parts and use llama:./path/to/the-first-part.gguf`,
    );
  }
  const available = ggufs.map((f) => f.split("/").pop()).join(", ");
  throw new ProviderConfigError(
    `llama:hf:${repo}:${quant}: no .gguf file for quant ${quant} in ${repo}${available ? ` (files: ${available})` : " (the repo has no .gguf files)"}`,
  );
}

async function listRepoFiles(
  repo: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<string[]> {
  const url = `${hfEndpoint(env)}/api/models/${encodePath(repo)}`;
  const res = await hubFetch(url, env, `listing the files of ${repo}`, signal);
  const body: unknown = await res.json();
  const siblings =
    typeof body === "object" && body !== null
      ? (body as { siblings?: unknown }).siblings
      : undefined;
  if (!Array.isArray(siblings)) {
    throw new ProviderConfigError(`${url}: unexpected answer (no "siblings" list)`);
  }
  const files: string[] = [];
  for (const s of siblings) {
    const name =
      typeof s === "object" && s !== null ? (s as { rfilename?: unknown }).rfilename : undefined;
    if (typeof name === "string") files.push(name);
  }
  return files;
}

async function cachedFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true });
    return entries
      .map((e) => e.split(sep).join("/"))
      .filter((e) => e.toLowerCase().endsWith(".gguf"));
  } catch {
    return [];
  }
}

async function hasGgufMagic(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.toString("latin1") === "GGUF";
  } finally {
    await fh.close();
  }
}

async function download(
  url: string,
  dest: string,
  file: string,
  opts: HfDownloadOptions,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const res = await hubFetch(url, env, `downloading ${file}`, opts.signal);
  const lenHeader = res.headers.get("content-length");
  const total = lenHeader !== null && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
  const tmp = `${dest}.${process.pid}.${Date.now().toString(36)}.part`;
  // A write may still be in flight when a failed download's file is destroyed: its error must
  // not become an uncaught exception (it crashed the process; see io/write-stream.ts).
  const out = openWriteStream(tmp);
  const hash = createHash("sha256");
  const commit = res.headers.get("x-repo-commit") ?? undefined;
  let done = 0;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!opts.onDownloadProgress || (!force && now - lastReport < PROGRESS_INTERVAL_MS)) return;
    lastReport = now;
    opts.onDownloadProgress(total === undefined ? { file, done } : { file, done, total });
  };
  try {
    report(true);
    if (!res.body) throw new Error("empty response body");
    try {
      for await (const chunk of res.body) {
        done += chunk.byteLength;
        hash.update(chunk);
        await writeChunk(out, chunk);
        report(false);
      }
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new ProviderConfigError(
        `download of ${url} was interrupted after ${done} bytes (${causeOf(err)}); run again to retry, or ${offlineAdvice(url)}`,
      );
    }
    await closeStream(out);
    if (total !== undefined && done !== total) {
      throw new ProviderConfigError(
        `download of ${url} ended after ${done} of ${total} bytes; run again to retry, or ${offlineAdvice(url)}`,
      );
    }
    if (!(await hasGgufMagic(tmp))) {
      throw new ProviderConfigError(
        `${url} did not return a GGUF file (wrong file name, or a login page?)`,
      );
    }
    await rename(tmp, dest);
    await writeModelSidecar(dest, {
      url,
      sha256: hash.digest("hex"),
      ...(commit !== undefined && { commit }),
    });
    report(true);
  } catch (err) {
    // Writes still in flight settle and the descriptor closes before the file goes.
    await abandonStream(out);
    await rm(tmp, { force: true });
    throw err;
  }
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Returns the local path of `<repo>/<file-or-quant>`, downloading it into the cache first if
 * needed. Concurrent calls for the same file share one download.
 */
export async function resolveHfModel(
  repo: string,
  fileOrQuant: string,
  opts: HfDownloadOptions = {},
): Promise<string> {
  const env = opts.env ?? process.env;
  validate(repo, fileOrQuant);
  const cacheDir = opts.cacheDir ?? defaultModelCacheDir(env);
  const repoDir = join(cacheDir, ...repo.split("/"));
  let file = fileOrQuant;
  if (!fileOrQuant.toLowerCase().endsWith(".gguf")) {
    const local = (await cachedFiles(repoDir)).filter(
      (f) => matchesQuant(f, fileOrQuant) && !SPLIT_PART.test(f),
    );
    if (local.length > 0) return join(repoDir, local.sort((a, b) => a.length - b.length)[0]!);
    file = pickQuantFile(repo, await listRepoFiles(repo, env, opts.signal), fileOrQuant);
  }
  const dest = join(repoDir, ...file.split("/"));
  if (existsSync(dest)) return dest;
  const key = dest;
  let p = inFlight.get(key);
  if (!p) {
    p = download(hfFileUrl(repo, file, env), dest, file, opts, env)
      .then(() => dest)
      .finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}
