import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerWarmth,
  runWarmthCommand,
  type WarmthCliOptions,
} from "../../src/cli/commands/warmth.js";
import { DataError } from "../../src/errors.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { ensureTinyGguf } from "../helpers/tiny-gguf.js";
import { makeRun, warmthJudgeReply } from "./fixtures.js";

let server: FakeServer;
let tiny: string;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: warmthJudgeReply });
  tiny = await ensureTinyGguf();
});
afterAll(async () => {
  await server?.close();
});

async function run(target: string, opts: Partial<WarmthCliOptions>) {
  let stdout = "";
  let stderr = "";
  const code = await runWarmthCommand(
    target,
    { column: "output", method: "sociot", ...opts },
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
  );
  return { code, stdout, stderr };
}

describe("candor warmth on a file", () => {
  it("scores a CSV column on the embedded engine and writes the rows with their scores", async () => {
    const dir = tempDir("candor-warmth-cli-");
    const csv = join(dir, "answers.csv");
    writeFileSync(csv, 'id,answer\n1,"I\'m so glad you asked, friend!"\n2,The answer is 4.\n');
    const out = join(dir, "scored.csv");
    const r = await run(csv, { column: "answer", scorer: `llama:${tiny}`, threads: "1", out });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/answers\.csv, column answer: 2 rows/);
    expect(r.stdout).toMatch(/SocioT reference +-?\d\.\d{4} ± \d\.\d{4} \(n=2\)/);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("id,answer,sociot_reference,sociot_strict");
    expect(lines[1]).toMatch(/^1,"I'm so glad you asked, friend!",-?\d/);
    // Without --out: JSON Lines on stdout, the summary on stderr.
    const jsonl = await run(csv, { column: "answer", scorer: `llama:${tiny}`, threads: "1" });
    const rows = jsonl.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ id: "2", answer: "The answer is 4." });
    expect(typeof rows[1].sociot_strict).toBe("number");
    expect(jsonl.stderr).toMatch(/2 rows/);
  });

  it("rates with the judge through the test server", async () => {
    const dir = tempDir("candor-warmth-cli-");
    const file = join(dir, "outs.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ output: "So glad you asked!" })}\n${JSON.stringify({ output: "UNPARSEABLE-ME" })}\n`,
    );
    const r = await run(file, {
      method: "judge",
      judge: `openai-compatible:${server.baseURL}#judge`,
      json: true,
    });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.summary.judge).toMatchObject({ n: 1, mean: 6, unparseable: 1, failed: 0 });
  });

  it("stops on bad rows with the file, row and column named, before calling any model", async () => {
    const dir = tempDir("candor-warmth-cli-");
    const before = server.stats.requests;
    const judge = `openai-compatible:${server.baseURL}#judge`;
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "output\nfine\n   \n");
    await expect(run(empty, { method: "judge", judge })).rejects.toThrow(
      /empty\.csv \(row 2 \(line 3\), column output\): the text is empty; expected a non-empty string/,
    );
    const numbers = join(dir, "numbers.jsonl");
    writeFileSync(numbers, '{"output":"ok"}\n{"output":42}\n{"text":"x"}\n');
    await expect(run(numbers, { method: "judge", judge })).rejects.toThrow(
      /numbers\.jsonl \(line 2, column output\): found a number; expected the text to score/,
    );
    const missing = join(dir, "missing.jsonl");
    writeFileSync(missing, '{"output":"ok"}\n{"text":"x"}\n');
    await expect(run(missing, { method: "judge", judge })).rejects.toThrow(
      /line 2, column output\): found no value/,
    );
    await expect(run(numbers, { method: "judge", judge, column: "answer" })).rejects.toThrow(
      DataError,
    );
    await expect(run(numbers, { method: "judge", judge, column: "answer" })).rejects.toThrow(
      /no column "answer"; expected one of: output/,
    );
    expect(server.stats.requests).toBe(before);
    await expect(run(empty, { method: "judge" })).rejects.toThrow(/needs --judge/);
    // A text the scorer cannot take (too long for the tiny model's context) names its row.
    const long = join(dir, "long.csv");
    writeFileSync(long, `output\nshort one\n${"é".repeat(300)}\n`);
    await expect(run(long, { scorer: `llama:${tiny}`, threads: "1" })).rejects.toThrow(
      /long\.csv \(row 2 \(line 3\), column output\): SocioT failed: .*more than the scorer context holds/,
    );
    await expect(run(empty, { method: "warmest" })).rejects.toThrow(/--method must be/);
  });
});

describe("candor warmth on a run", () => {
  it("stores the metrics, prints the manipulation check and resumes with nothing to do", async () => {
    const { file } = makeRun(4);
    const opts: Partial<WarmthCliOptions> = {
      method: "both",
      scorer: `openai-compatible:${server.baseURL}#scorer`,
      judge: `openai-compatible:${server.baseURL}#judge`,
      compare: ["reference:warm,cold"],
    };
    const first = await run(file, opts);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/warmth\.judge +warm +6\.0000 ± 0\.0000 +\(n=8\)/);
    expect(first.stdout).toMatch(/warmth\.judge +warm vs reference: pairs=4 .* OK/);
    expect(first.stdout).toMatch(
      /WARNING: cold is not measurably warmer than reference on warmth\.judge/,
    );
    const before = server.stats.requests;
    const second = await run(file, { ...opts, json: true });
    expect(server.stats.requests).toBe(before);
    const j = JSON.parse(second.stdout);
    expect(j.measured.judge).toMatchObject({ resumed: 24, done: 0 });
    expect(j.check.warnings).toHaveLength(
      j.check.comparisons.filter((c: { warmer: boolean }) => !c.warmer).length,
    );
  });

  it("registers as a commander command", () => {
    const program = new Command();
    registerWarmth(program);
    const cmd = program.commands.find((c) => c.name() === "warmth")!;
    expect(cmd.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(["--column", "--method", "--scorer", "--judge", "--out", "--compare"]),
    );
  });
});
