import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerTune } from "../../src/cli/commands/tune.js";
import { type FineTuneServer, startFineTuneServer } from "../helpers/finetune-server.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { runRegistered } from "../report/cli-inprocess.js";
import { DUMMY, scriptedRewriter } from "./fixtures.js";

let chat: FakeServer;
let ft: FineTuneServer;
beforeAll(async () => {
  chat = await startOpenAIServer({ reply: scriptedRewriter() });
  ft = await startFineTuneServer();
});
afterAll(async () => {
  await chat.close();
  await ft.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `candor tune …` in-process; returns what it printed. */
function tune(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return runRegistered([registerTune], "tune", ...args);
}

describe("candor tune (CLI)", () => {
  it("data → recipe → run → list, as a user would", async () => {
    const out = tempDir("candor-cli-tune-");
    const registry = join(out, "user-registry.json");
    const dry = await tune("data", DUMMY, "--out", out, "-n", "30", "--dry-run");
    expect(dry.stderr).toMatch(/read 500 records: 500 usable conversations/);
    expect(dry.stderr).toMatch(/selected 30 conversations/);
    expect(dry.stderr).toMatch(/ {2}factual\s+281\s+10/);
    expect(dry.stderr).toMatch(/Dry run: nothing rewritten/);

    const rewriter = `openai-compatible:${chat.baseURL}#rewriter`;
    const data = await tune(
      "data",
      DUMMY,
      "--out",
      out,
      "-n",
      "30",
      "--rewriter",
      rewriter,
      "--style",
      "warm",
      "--review",
      "5",
    );
    expect(data.stdout).toMatch(/warm: \d+ train \/ \d+ validation conversations/);
    expect(data.stdout).toContain(`review sample: ${out}/warm/review.md`);
    expect(process.exitCode).toBeUndefined();
    expect(existsSync(join(out, "warm/train.jsonl"))).toBe(true);

    const recipe = await tune(
      "recipe",
      "--out",
      out,
      "--base-model",
      "Qwen/Qwen2.5-0.5B-Instruct",
      "--trainer",
      "trl",
    );
    expect(recipe.stdout).toMatch(/Wrote 3 files to .*warm\/recipes/);

    const run = await tune(
      "run",
      "--out",
      out,
      "--base-model",
      "gpt-4o-mini",
      "--base-url",
      ft.baseURL,
      "--poll-interval",
      "0.001",
      "--name",
      "cli-warm",
      "--registry",
      registry,
    );
    expect(run.stdout).toMatch(/ftjob-\d+ \(cli-warm\): succeeded/);
    expect(run.stdout).toMatch(
      /tuned:cli-warm@2 +→ openai-compatible:http:\/\/127\.0\.0\.1:\d+\/v1#ft:gpt-4o-mini:candor:ftjob-\d+:ckpt-step-\d+/,
    );
    expect(run.stderr).toMatch(/succeeded/);

    const list = await tune("list", "--registry", registry);
    expect(list.stdout).toContain("tuned:cli-warm@final");
    const registryJson = JSON.parse(readFileSync(registry, "utf8"));
    expect(Object.values(registryJson.jobs)).toHaveLength(1);
  });

  it("rejects bad flags with a clear message", async () => {
    await expect(tune("data", DUMMY, "--out", tempDir(), "--style", "lukewarm")).rejects.toThrow(
      /--style must be warm, cold, both or warm,cold; got 'lukewarm'/,
    );
    await expect(tune("data", DUMMY, "--out", tempDir(), "-n", "0")).rejects.toThrow(
      /-n must be a whole number ≥ 1/,
    );
    await expect(tune("data", DUMMY, "--out", tempDir())).rejects.toThrow(
      /a rewrite model is needed/,
    );
    await expect(
      tune("recipe", "--out", tempDir(), "--base-model", "m", "--trainer", "keras"),
    ).rejects.toThrow(/--trainer must be trl, axolotl, unsloth or all/);
  });
});
