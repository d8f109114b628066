import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordJob } from "../../src/tuning/registry.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { ensureTinyGguf } from "../helpers/tiny-gguf.js";

let server: FakeServer;
beforeAll(async () => {
  // Later checkpoints answer more warmly, as the study saw over the first epochs.
  server = await startOpenAIServer({
    reply: (req) =>
      req.model.includes("ckpt-2") || req.model.includes("final")
        ? "Oh, I'm so happy you asked, friend!"
        : "Answer.",
  });
});
afterAll(async () => {
  await server.close();
});

describe("candor tune trajectory", () => {
  it("generates with every checkpoint, scores SocioT and writes the trajectory", async () => {
    const dir = tempDir("candor-traj-");
    const registry = join(dir, "tuned-models.json");
    recordJob(registry, {
      id: "ftjob-9",
      name: "warm-ft",
      provider: "openai-compatible",
      baseURL: server.baseURL,
      baseModel: "base",
      status: "succeeded",
      fineTunedModel: "ft:final",
      nEpochs: 3,
      hyperparameters: {},
      trainingFile: "f",
      validationFile: null,
      checkpoints: [
        { epoch: 1, step: 10, model: "ft:ckpt-1" },
        { epoch: 2, step: 20, model: "ft:ckpt-2" },
      ],
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
    });
    const line = (q: string) =>
      JSON.stringify({
        messages: [
          { role: "user", content: q },
          { role: "assistant", content: "x" },
        ],
      });
    writeFileSync(
      join(dir, "train.jsonl"),
      `${["What is 2+2?", "Name a colour.", "Say hi."].map(line).join("\n")}\n`,
    );
    const model = await ensureTinyGguf();
    const out = join(dir, "trajectory.json");
    const r = await runCli([
      "tune",
      "trajectory",
      "warm-ft",
      "--data",
      dir,
      "--out",
      out,
      "--registry",
      registry,
      "--base",
      `openai-compatible:${server.baseURL}#base`,
      "--scorer",
      `llama:${model}`,
      "-n",
      "3",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const file = JSON.parse(readFileSync(out, "utf8")) as {
      points: { label: string; epoch: number; n: number; mean: number }[];
    };
    expect(file.points.map((p) => p.epoch)).toEqual([0, 1, 2, 3]);
    expect(file.points.every((p) => p.n === 3 && Number.isFinite(p.mean))).toBe(true);
    // same answers → same scores; different answers → different scores
    expect(file.points[0]!.mean).toBe(file.points[1]!.mean);
    expect(file.points[2]!.mean).not.toBe(file.points[1]!.mean);
  });
});
