/**
 * Threads and sequences from a calibration on the real engine (tiny GGUF): measured on first
 * use, cached per model hash and machine, read back later, and overridden by the config.
 * No assertion on speed: only that a choice is made, kept and respected.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSharedLlama, LlamaProvider } from "../../src/providers/llama.js";
import {
  CALIBRATION_FILE,
  CALIBRATION_SEQUENCES,
  calibrationKey,
  type EngineSettings,
} from "../../src/providers/llama-calibrate.js";
import { threadCandidates } from "../../src/providers/llama-choice.js";
import { ensureTinyGguf } from "../helpers/tiny-gguf.js";

let path: string;
let dir: string;
beforeAll(async () => {
  path = await ensureTinyGguf();
  dir = await mkdtemp(join(tmpdir(), "candor-calibrate-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function open(
  cacheDir: string,
  llama: { threads?: number; sequences?: number; contextSize?: number } = {},
): Promise<{ engine: EngineSettings; concurrency: number; reply: string }> {
  const p = await LlamaProvider.create(
    { path, ref: `llama:${path}` },
    // Few tokens per point: the test checks the choice and the cache, not the rates.
    { cacheDir, llama: { contextSize: 2048, calibrationTokens: 3, ...llama } },
  );
  try {
    const out = await p.generate({
      messages: [{ role: "user", content: "Hello" }],
      params: { temperature: 0, maxTokens: 4 },
    });
    const engine = p.provenance.engine;
    if (!engine) throw new Error("no engine settings recorded");
    return { engine, concurrency: p.defaultConcurrency, reply: out.text };
  } finally {
    await p.close();
  }
}

const cacheOf = async (cacheDir: string) =>
  JSON.parse(await readFile(join(cacheDir, CALIBRATION_FILE), "utf8")) as {
    entries: Record<
      string,
      { measuredAt: string; points: { threads: number; sequences: number }[] }
    >;
  };

describe("llama calibration", () => {
  it("measures on first use, chooses, caches per model and machine, and reuses the cache", async () => {
    const cacheDir = join(dir, "first");
    const first = await open(cacheDir);
    expect(first.engine).toMatchObject({
      threadsFrom: "calibration",
      sequencesFrom: "calibration",
      calibration: "measured",
    });
    expect(first.concurrency).toBe(first.engine.sequences);
    const llama = await getSharedLlama();
    const cores = llama.cpuMathCores;
    // Every thread count worth trying at one sequence, then 2, 4 and 8 sequences at the best.
    const points = first.engine.points ?? [];
    expect(points.filter((p) => p.sequences === 1).map((p) => p.threads)).toEqual(
      threadCandidates(cores),
    );
    expect(points.filter((p) => p.sequences > 1)).toEqual(
      [2, 4, 8].map((sequences) =>
        expect.objectContaining({ threads: first.engine.threads, sequences }),
      ),
    );
    expect(threadCandidates(cores)).toContain(first.engine.threads);
    expect(CALIBRATION_SEQUENCES).toContain(first.engine.sequences);

    const sha = (await import("../../src/providers/model-provenance.js")).sha256OfFile;
    const key = calibrationKey(await sha(path), llama);
    const cached = await cacheOf(cacheDir);
    expect(Object.keys(cached.entries)).toEqual([key]);

    const second = await open(cacheDir);
    expect(second.engine).toMatchObject({
      calibration: "cache",
      threads: first.engine.threads,
      sequences: first.engine.sequences,
      measuredAt: first.engine.measuredAt,
    });
    expect(await cacheOf(cacheDir)).toEqual(cached);
  });

  it("uses the cached rates: a planted measurement decides the setting", async () => {
    const cacheDir = join(dir, "planted");
    const llama = await getSharedLlama();
    const sha = (await import("../../src/providers/model-provenance.js")).sha256OfFile;
    const key = calibrationKey(await sha(path), llama);
    const points = threadCandidates(llama.cpuMathCores).flatMap((threads) =>
      CALIBRATION_SEQUENCES.map((sequences) => ({
        threads,
        sequences,
        // Best at 1 thread; 4 sequences within 90% of 8.
        tokensPerSecond: threads === 1 ? { 1: 10, 2: 20, 4: 37, 8: 40 }[sequences]! : 1,
      })),
    );
    const { mkdir } = await import("node:fs/promises");
    await mkdir(cacheDir, { recursive: true });
    await writeFile(
      join(cacheDir, CALIBRATION_FILE),
      JSON.stringify({
        version: 1,
        entries: { [key]: { measuredAt: "2026-01-01T00:00:00.000Z", tokens: 16, points } },
      }),
    );
    const r = await open(cacheDir);
    expect(r.engine).toMatchObject({
      threads: 1,
      sequences: 4,
      calibration: "cache",
      tokensPerSecond: 37,
      measuredAt: "2026-01-01T00:00:00.000Z",
    });
    expect(r.concurrency).toBe(4);
  });

  it("keeps what the config sets: both set means no calibration at all", async () => {
    const cacheDir = join(dir, "config");
    const r = await open(cacheDir, { threads: 1, sequences: 3 });
    expect(r.engine).toEqual({
      threads: 1,
      sequences: 3,
      threadsFrom: "config",
      sequencesFrom: "config",
    });
    expect(r.concurrency).toBe(3);
    await expect(readFile(join(cacheDir, CALIBRATION_FILE))).rejects.toThrow(/ENOENT/);
  });

  it("with one setting fixed, measures and chooses only the other", async () => {
    const cacheDir = join(dir, "half");
    const r = await open(cacheDir, { sequences: 2 });
    expect(r.engine).toMatchObject({
      sequences: 2,
      sequencesFrom: "config",
      threadsFrom: "calibration",
    });
    const llama = await getSharedLlama();
    expect(r.engine.points?.map((p) => p.sequences)).toEqual(
      threadCandidates(llama.cpuMathCores).map(() => 2),
    );
    const t = await open(cacheDir, { threads: 1 });
    expect(t.engine).toMatchObject({
      threads: 1,
      threadsFrom: "config",
      sequencesFrom: "calibration",
    });
    // The cache now holds both measurements, each point once.
    const entry = Object.values((await cacheOf(cacheDir)).entries)[0]!;
    const ids = entry.points.map((p) => `${p.threads}x${p.sequences}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("1x8");
  });

  it("measures again over a damaged cache file", async () => {
    const cacheDir = join(dir, "damaged");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(cacheDir, { recursive: true });
    await writeFile(join(cacheDir, CALIBRATION_FILE), "{ not json");
    const r = await open(cacheDir, { threads: 1 });
    expect(r.engine.calibration).toBe("measured");
    expect(Object.keys((await cacheOf(cacheDir)).entries)).toHaveLength(1);
  });

  it("can be switched off: defaults for what the config leaves open", async () => {
    const p = await LlamaProvider.create(
      { path, ref: `llama:${path}` },
      { cacheDir: join(dir, "off"), llama: { contextSize: 512, calibrate: false, threads: 1 } },
    );
    try {
      expect(p.provenance.engine).toMatchObject({
        threads: 1,
        threadsFrom: "config",
        sequencesFrom: "default",
      });
    } finally {
      await p.close();
    }
    await expect(readFile(join(dir, "off", CALIBRATION_FILE))).rejects.toThrow(/ENOENT/);
  });
});
