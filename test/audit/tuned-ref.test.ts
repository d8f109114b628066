import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAudit, runAudit } from "../../src/stages/audit.js";
import { recordJob } from "../../src/tuning/registry.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("tuned:<job>@<epoch> subjects", () => {
  it("resolve through the fine-tuning registry to the checkpoint's model", async () => {
    const registry = join(tempDir(), "tuned-models.json");
    recordJob(registry, {
      id: "ftjob-1",
      name: "warm-ft",
      style: "warm",
      provider: "openai-compatible",
      baseURL: server.baseURL,
      baseModel: "base",
      status: "succeeded",
      fineTunedModel: "ft:base:warm:final",
      nEpochs: 3,
      hyperparameters: {},
      trainingFile: "file-1",
      validationFile: null,
      checkpoints: [{ epoch: 2, step: 20, model: "ft:base:warm:ckpt-step-20" }],
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
    });
    const { configFile } = writeAuditConfig(server.baseURL, {
      n: 1,
      extra: `tuned_registry: "${registry}"`,
    });
    const { readFileSync, writeFileSync } = await import("node:fs");
    const text = readFileSync(configFile, "utf8").replace(
      /- \{ id: warm, model: "[^"]+", persona: warm \}/,
      '- { id: warm, model: "tuned:warm-ft@2" }',
    );
    writeFileSync(configFile, text);
    const loaded = await prepareAudit(configFile);
    expect(loaded.plan.subjects.find((s) => s.id === "warm")!.model).toBe(
      `openai-compatible:${server.baseURL}#ft:base:warm:ckpt-step-20`,
    );
    const run = await runAudit(configFile);
    expect(run.summary.totals.judged).toBe(run.summary.totals.trials);

    writeFileSync(configFile, text.replace("tuned:warm-ft@2", "tuned:nope@2"));
    await expect(prepareAudit(configFile)).rejects.toThrow(
      /no fine-tuning job "nope" \(known: warm-ft\)/,
    );
  });
});
