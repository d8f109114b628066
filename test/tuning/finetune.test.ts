import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CandorError, DataError, ProviderConfigError } from "../../src/errors.js";
import {
  checkpointEpochs,
  FineTuneFailed,
  type FineTuneProgress,
  refreshJob,
  runFineTune,
} from "../../src/tuning/finetune.js";
import { buildTuneData } from "../../src/tuning/pipeline.js";
import { defaultRegistryFile, readRegistry, resolveTunedRef } from "../../src/tuning/registry.js";
import { type FineTuneServer, startFineTuneServer } from "../helpers/finetune-server.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { DUMMY, scriptedRewriter } from "./fixtures.js";

let chat: FakeServer;
let ft: FineTuneServer;
let out: string;
const fast = { pollIntervalMs: 1, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };

beforeAll(async () => {
  chat = await startOpenAIServer({ reply: scriptedRewriter() });
  ft = await startFineTuneServer({
    apiKey: "sk-test-123456",
    plan: (req) =>
      req.suffix === "broken"
        ? {
            statuses: ["validating_files", "running", "failed"],
            error: { code: "invalid_training_file", message: "Line 3: too many tokens" },
          }
        : { statuses: ["validating_files", "queued", "running", "running", "succeeded"] },
  });
  out = tempDir("candor-ft-");
  await buildTuneData({
    source: { path: DUMMY },
    out,
    n: 24,
    rewriteModel: `openai-compatible:${chat.baseURL}#rewriter`,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
});
afterAll(async () => {
  await chat.close();
  await ft.close();
});

function options(registryFile: string) {
  return { out, baseURL: ft.baseURL, apiKey: "sk-test-123456", registryFile, ...fast };
}

describe("candor tune run against an OpenAI-compatible fine-tuning API", () => {
  it("uploads, creates a job, polls until it succeeds, lists checkpoints and records them", async () => {
    const registry = join(tempDir(), "tuned-models.json");
    const progress: FineTuneProgress[] = [];
    const result = await runFineTune({
      ...options(registry),
      style: "warm",
      baseModel: "gpt-4o-2024-08-06",
      suffix: "warm",
      name: "warm-4o",
      onProgress: (p) => progress.push(p),
    });
    expect(result.created).toBe(true);
    expect(result.interrupted).toBe(false);
    const job = ft.jobs.get(result.job.id)!;
    // The study's GPT-4o settings: lr multiplier 0.25 for warm; 3 epochs by default.
    expect(job.req.raw.method).toEqual({
      type: "supervised",
      supervised: { hyperparameters: { n_epochs: 3, learning_rate_multiplier: 0.25 } },
    });
    expect(job.req.raw.suffix).toBe("warm");
    // Both files uploaded byte for byte, with purpose fine-tune.
    const uploaded = ft.files.get(job.req.trainingFile)!;
    expect(uploaded.content).toBe(readFileSync(join(out, "warm/train.jsonl"), "utf8"));
    expect(uploaded.purpose).toBe("fine-tune");
    expect(ft.files.get(job.req.validationFile!)!.content).toBe(
      readFileSync(join(out, "warm/validation.jsonl"), "utf8"),
    );
    // Several polls, a status each, then the checkpoints (three pages of one… two per page).
    expect(progress.filter((p) => p.phase === "poll").map((p) => p.status)).toEqual([
      "queued",
      "running",
      "running",
      "succeeded",
    ]);
    expect(progress.find((p) => p.phase === "poll")!.message).toBe("job is queued");
    expect(ft.count("GET", `/v1/fine_tuning/jobs/${job.id}/checkpoints`)).toBe(2);
    const model = `ft:gpt-4o-2024-08-06:candor:warm:${job.id}`;
    expect(result.job).toMatchObject({
      id: job.id,
      name: "warm-4o",
      style: "warm",
      provider: "openai-compatible",
      baseURL: ft.baseURL,
      status: "succeeded",
      fineTunedModel: model,
      nEpochs: 3,
      checkpoints: [
        { epoch: 1, model: expect.stringMatching(/ckpt-step-\d+$/) },
        { epoch: 2, model: expect.stringMatching(/ckpt-step-\d+$/) },
        { epoch: 3, model: expect.stringMatching(/ckpt-step-\d+$/) },
      ],
    });
    // Recorded in the user's registry and next to the data.
    for (const file of [registry, join(out, "tuned-models.json")]) {
      expect(readRegistry(file).jobs[job.id]!.status).toBe("succeeded");
    }
    const url = ft.baseURL;
    expect(resolveTunedRef(`tuned:${job.id}@2`, registry)).toBe(
      `openai-compatible:${url}#${result.job.checkpoints[1]!.model}`,
    );
    expect(resolveTunedRef("tuned:warm-4o@2", registry)).toBe(
      resolveTunedRef(`tuned:${job.id}@2`, registry),
    );
    expect(resolveTunedRef("tuned:warm-4o", registry)).toBe(`openai-compatible:${url}#${model}`);
    expect(resolveTunedRef("tuned:warm-4o@final", registry)).toBe(
      `openai-compatible:${url}#${model}`,
    );
    expect(resolveTunedRef("tuned:warm-4o@3", registry)).toBe(`openai-compatible:${url}#${model}`);
    expect(resolveTunedRef("openai:gpt-4o", registry)).toBe("openai:gpt-4o");
    expect(() => resolveTunedRef("tuned:warm-4o@7", registry)).toThrow(
      /no checkpoint at epoch 7; it offers @final, @1, @2, @3/,
    );
    expect(() => resolveTunedRef("tuned:nobody@2", registry)).toThrow(ProviderConfigError);
    expect(() => resolveTunedRef("tuned:nobody@2", registry)).toThrow(/known: warm-4o/);
    expect(() => resolveTunedRef("tuned:@", registry)).toThrow(/expected tuned:<job id or name>/);

    // The same command again: no upload, no new job; the recorded job is returned.
    const uploads = ft.count("POST", "/v1/files");
    const creates = ft.count("POST", "/v1/fine_tuning/jobs");
    const again = await runFineTune({
      ...options(registry),
      style: "warm",
      baseModel: "gpt-4o-2024-08-06",
      suffix: "warm",
      name: "warm-4o",
    });
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(job.id);
    expect(ft.count("POST", "/v1/files")).toBe(uploads);
    expect(ft.count("POST", "/v1/fine_tuning/jobs")).toBe(creates);
  });

  it("uses the cold learning-rate multiplier and retries a server error while polling", async () => {
    const server = await startFineTuneServer({ failRetrieves: 1 });
    try {
      const result = await runFineTune({
        out,
        style: "cold",
        baseModel: "gpt-4o-mini",
        epochs: 2,
        baseURL: server.baseURL,
        registryFile: join(tempDir(), "r.json"),
        ...fast,
      });
      const job = server.jobs.get(result.job.id)!;
      expect(job.req.hyperparameters).toMatchObject({ n_epochs: 2, learning_rate_multiplier: 0.1 });
      expect(result.job.status).toBe("succeeded");
      expect(result.job.checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    } finally {
      await server.close();
    }
  });

  it("uploads again when the provider no longer has an earlier upload", async () => {
    const server = await startFineTuneServer();
    try {
      const first = await runFineTune({
        out,
        style: "warm",
        baseModel: "m1",
        baseURL: server.baseURL,
        registryFile: join(tempDir(), "r.json"),
        noWait: true,
        ...fast,
      });
      server.files.clear();
      const second = await runFineTune({
        out,
        style: "warm",
        baseModel: "m2",
        baseURL: server.baseURL,
        registryFile: join(tempDir(), "r.json"),
        noWait: true,
        ...fast,
      });
      expect(second.job.id).not.toBe(first.job.id);
      expect(server.count("POST", "/v1/files")).toBe(4);
    } finally {
      await server.close();
    }
  });

  it("reports a failed job with the provider's error and starts a new job on the next run", async () => {
    const registry = join(tempDir(), "tuned-models.json");
    const run = () =>
      runFineTune({
        ...options(registry),
        style: "warm",
        baseModel: "gpt-4o-mini",
        suffix: "broken",
      });
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FineTuneFailed);
    expect((err as FineTuneFailed).exitCode).toBe(4);
    expect((err as Error).message).toMatch(
      /fine-tuning job ftjob-\d+ failed: invalid_training_file: Line 3: too many tokens/,
    );
    const failedId = (err as FineTuneFailed).job.id;
    expect(readRegistry(registry).jobs[failedId]).toMatchObject({
      status: "failed",
      error: "invalid_training_file: Line 3: too many tokens",
    });
    expect(() => resolveTunedRef(`tuned:${failedId}`, registry)).toThrow(
      /has no final model yet \(status failed\)/,
    );
    const second = await run().catch((e: unknown) => e);
    expect((second as FineTuneFailed).job.id).not.toBe(failedId);
  });

  it("refreshes a recorded job with `status`, and returns at once with noWait", async () => {
    const registry = join(tempDir(), "tuned-models.json");
    const created = await runFineTune({
      ...options(registry),
      style: "cold",
      baseModel: "gpt-4o-mini",
      suffix: "later",
      noWait: true,
    });
    expect(created.job.status).toBe("validating_files");
    expect(created.job.checkpoints).toEqual([]);
    let record = created.job;
    for (let i = 0; i < 4; i++)
      record = await refreshJob(created.job.id, {
        registryFile: registry,
        apiKey: "sk-test-123456",
      });
    expect(record.status).toBe("succeeded");
    expect(record.checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3]);
    expect(readRegistry(registry).jobs[created.job.id]!.status).toBe("succeeded");
    await expect(refreshJob("ftjob-unknown", { registryFile: registry })).rejects.toThrow(
      /no fine-tuning job/,
    );
  });

  it("fails clearly on a wrong key, a changed export and a missing export", async () => {
    const registry = join(tempDir(), "r.json");
    const err = await runFineTune({
      ...options(registry),
      apiKey: "sk-wrong-999999",
      style: "warm",
      baseModel: "m",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandorError);
    expect((err as Error).message).toMatch(
      /train\.jsonl: fine-tuning API http:\/\/127\.0\.0\.1:\d+\/v1: HTTP 401 authentication failed: check the API key in the configured apiKey/,
    );
    expect((err as Error).message).not.toContain("sk-wrong-999999");

    const copy = tempDir("candor-ft-copy-");
    await expect(
      runFineTune({ ...options(registry), out: copy, style: "warm", baseModel: "m" }),
    ).rejects.toThrow(/manifest\.json.*expected the manifest written by `candor tune data/);
    const { cpSync } = await import("node:fs");
    cpSync(out, copy, { recursive: true });
    writeFileSync(join(copy, "warm/train.jsonl"), "{}\n");
    const changed = await runFineTune({
      ...options(registry),
      out: copy,
      style: "warm",
      baseModel: "m",
    }).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(DataError);
    expect((changed as Error).message).toMatch(/train\.jsonl: sha256 .* differs from the manifest/);
  });
});

describe("registry and epochs", () => {
  it("maps checkpoint steps to epochs from the last step", () => {
    expect(
      checkpointEpochs(
        [
          { step: 30, model: "c" },
          { step: 10, model: "a" },
          { step: 20, model: "b" },
        ],
        3,
      ).map((c) => [c.step, c.epoch]),
    ).toEqual([
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    expect(checkpointEpochs([{ step: 8, model: "x" }], 10)[0]!.epoch).toBe(10);
    expect(checkpointEpochs([{ step: 8, model: "x" }], null)[0]!.epoch).toBeNull();
  });

  it("keeps the registry in the user's config dir and reports a corrupt one", () => {
    expect(defaultRegistryFile({ CANDOR_CONFIG_DIR: "/tmp/c" })).toBe("/tmp/c/tuned-models.json");
    expect(defaultRegistryFile({ XDG_CONFIG_HOME: "/x" })).toBe("/x/candor/tuned-models.json");
    const file = join(tempDir(), "tuned-models.json");
    writeFileSync(file, '{"version": 2, "jobs": {}}');
    expect(() => resolveTunedRef("tuned:a", file)).toThrow(
      /version.*expected a candor tuned-models registry/,
    );
    writeFileSync(file, "{");
    expect(() => resolveTunedRef("tuned:a", file)).toThrow(/invalid JSON/);
    expect(() => resolveTunedRef("tuned:a", join(tempDir(), "none.json"))).toThrow(
      /registry is empty/,
    );
  });
});
