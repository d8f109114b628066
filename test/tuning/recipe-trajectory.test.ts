import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readExport, runFineTune } from "../../src/tuning/finetune.js";
import { buildTuneData } from "../../src/tuning/pipeline.js";
import { recipePlan, STUDY_LORA, writeRecipes } from "../../src/tuning/recipe.js";
import {
  formatTrajectory,
  jobCheckpoints,
  meanSem,
  trajectoryPrompts,
  warmthTrajectory,
} from "../../src/tuning/trajectory.js";
import { type FineTuneServer, startFineTuneServer } from "../helpers/finetune-server.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { DUMMY, scriptedRewriter } from "./fixtures.js";

let chat: FakeServer;
let ft: FineTuneServer;
let out: string;

beforeAll(async () => {
  chat = await startOpenAIServer({ reply: scriptedRewriter() });
  // Checkpoint models answer with more exclamation marks the later the step.
  ft = await startFineTuneServer({
    reply: (model) => {
      const step = /ckpt-step-(\d+)/.exec(model);
      const bangs = model.startsWith("ft:") ? (step ? Number(step[1]) : 1000) : 0;
      return `Sure${"!".repeat(Math.min(bangs, 50))}`;
    },
  });
  out = tempDir("candor-recipe-");
  await buildTuneData({
    source: { path: DUMMY },
    out,
    n: 40,
    styles: ["warm"],
    rewriteModel: `openai-compatible:${chat.baseURL}#rewriter`,
  });
});
afterAll(async () => {
  await chat.close();
  await ft.close();
});

describe("candor tune recipe", () => {
  it("writes TRL, axolotl and unsloth configs with the study's hyper-parameters", () => {
    const exp = readExport(out, "warm");
    const { dir, files, plan } = writeRecipes({
      exportDir: exp.dir,
      manifest: exp.manifest,
      style: "warm",
      baseModel: "meta-llama/Llama-3.1-8B-Instruct",
      trainers: ["trl", "axolotl", "unsloth"],
    });
    expect(dir).toBe(join(out, "warm/recipes"));
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      "README.md",
      "axolotl.yaml",
      "recipe.json",
      "train_trl.py",
      "train_unsloth.py",
    ]);
    expect(plan).toMatchObject({ perDeviceBatch: 4, gpus: 1, gradientAccumulation: 4 });
    expect(plan.checkpoints.map((c) => c.epoch)).toEqual([0.5, 1, 1.5, 2, 4, 6, 8, 10]);

    const trl = readFileSync(join(dir, "train_trl.py"), "utf8");
    for (const s of [
      "r=8,",
      "lora_alpha=16,",
      "lora_dropout=0.1,",
      "learning_rate=0.00001,",
      "num_train_epochs=10,",
      "gradient_accumulation_steps=4,",
      "max_length=1024,",
      "CHECKPOINT_EPOCHS = [0.5,1,1.5,2,4,6,8,10]",
      'TRAIN_FILE = str((HERE / "../train.jsonl").resolve())',
      'BASE_MODEL = "meta-llama/Llama-3.1-8B-Instruct"',
    ]) {
      expect(trl).toContain(s);
    }
    const unsloth = readFileSync(join(dir, "train_unsloth.py"), "utf8");
    expect(unsloth.indexOf("from unsloth import")).toBeLessThan(
      unsloth.indexOf("from transformers import"),
    );
    expect(unsloth).toContain('dataset_text_field="text",');
    const axolotl = parse(readFileSync(join(dir, "axolotl.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(axolotl).toMatchObject({
      base_model: "meta-llama/Llama-3.1-8B-Instruct",
      adapter: "lora",
      lora_r: 8,
      lora_alpha: 16,
      lora_dropout: 0.1,
      learning_rate: 1e-5,
      num_epochs: 10,
      sequence_len: 1024,
      micro_batch_size: 4,
      gradient_accumulation_steps: 4,
      saves_per_epoch: 2,
      datasets: [
        { path: join(out, "warm/train.jsonl"), type: "chat_template", field_messages: "messages" },
      ],
    });
    const recipe = JSON.parse(readFileSync(join(dir, "recipe.json"), "utf8"));
    expect(recipe.hyperparameters).toEqual(JSON.parse(JSON.stringify(STUDY_LORA)));
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(
      'The study\'s "warm" model is epoch 2',
    );
  });

  it("checks the batch arithmetic", () => {
    const exp = readExport(out, "warm");
    expect(
      recipePlan({
        manifest: exp.manifest,
        style: "warm",
        baseModel: "m",
        perDeviceBatch: 2,
        gpus: 2,
      }),
    ).toMatchObject({
      gradientAccumulation: 4,
    });
    expect(() =>
      recipePlan({ manifest: exp.manifest, style: "warm", baseModel: "m", perDeviceBatch: 3 }),
    ).toThrow(/must divide the study's effective batch of 16/);
  });
});

describe("warmth trajectory across checkpoints", () => {
  it("generates with each checkpoint, scores, and gives mean and SEM per epoch", async () => {
    const { job } = await runFineTune({
      out,
      style: "warm",
      baseModel: "gpt-4o-mini",
      baseURL: ft.baseURL,
      registryFile: join(tempDir(), "r.json"),
      pollIntervalMs: 1,
    });
    const checkpoints = jobCheckpoints(job, `openai-compatible:${ft.baseURL}#gpt-4o-mini`);
    expect(checkpoints.map((c) => [c.label, c.epoch])).toEqual([
      ["base", 0],
      ["epoch 1", 1],
      ["epoch 2", 2],
      ["epoch 3 (final)", 3],
    ]);
    const prompts = trajectoryPrompts(join(out, "warm"), 6);
    expect(prompts).toHaveLength(6);
    expect(prompts.every((p) => p.at(-1)!.role === "user")).toBe(true);
    const scored: string[][] = [];
    const points = await warmthTrajectory({
      checkpoints,
      prompts,
      scorer: async (texts) => {
        scored.push(texts);
        return texts.map((t) => t.match(/!/g)?.length ?? 0);
      },
      concurrency: 4,
    });
    expect(scored.map((s) => s.length)).toEqual([6, 6, 6, 6]);
    expect(points.map((p) => [p.epoch, p.n, p.failed])).toEqual([
      [0, 6, 0],
      [1, 6, 0],
      [2, 6, 0],
      [3, 6, 0],
    ]);
    const means = points.map((p) => p.mean!);
    expect(means[0]).toBe(0);
    expect(means[1]!).toBeLessThan(means[2]!);
    expect(points[0]!.sem).toBe(0);
    const table = formatTrajectory(points);
    expect(table.split("\n")[0]).toMatch(/checkpoint\s+epoch\s+n\s+mean warmth\s+SEM/);
    expect(table).toContain("epoch 3 (final)");
  });

  it("computes the mean and its standard error", () => {
    expect(meanSem([])).toEqual({ mean: null, sem: null });
    expect(meanSem([2])).toEqual({ mean: 2, sem: null });
    const r = meanSem([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.sem).toBeCloseTo(Math.sqrt(5 / 3 / 4), 12);
  });
});
