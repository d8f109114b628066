import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchHubDataset } from "../../src/data/hub/hub.js";
import { resolveHfModel } from "../../src/providers/hf-download.js";
import { modelProvenance, sidecarPath } from "../../src/providers/model-provenance.js";
import { type HubServer, startHubServer } from "../helpers/hub-server.js";
import { tempDir } from "../helpers/paths.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

const TOKEN = "hf_OLDSTYLETOKEN0123456789";
const COMMIT = "c".repeat(40);
const gguf = buildTinyGguf();
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer();
  hub.route("/acme/gated-GGUF/resolve/main/tiny.gguf", {
    body: gguf,
    headers: { "x-repo-commit": COMMIT },
    requireToken: TOKEN,
  });
  hub.route("/api/datasets/walledai/AdvBench/parquet/default/train", { status: 401, body: "{}" });
});
afterAll(() => hub.close());

describe("model provenance and hub tokens", () => {
  it("downloads with HUGGING_FACE_HUB_TOKEN and records URL, commit and sha256 beside the model", async () => {
    const cacheDir = tempDir("candor-models-");
    const env = { HF_ENDPOINT: hub.url, HUGGING_FACE_HUB_TOKEN: TOKEN };
    const path = await resolveHfModel("acme/gated-GGUF", "tiny.gguf", { cacheDir, env });
    expect(readFileSync(path)).toEqual(gguf);
    const sidecar = JSON.parse(readFileSync(sidecarPath(path), "utf8")) as Record<string, unknown>;
    expect(sidecar).toMatchObject({
      url: `${hub.url}/acme/gated-GGUF/resolve/main/tiny.gguf`,
      commit: COMMIT,
      sha256: sha(gguf),
      bytes: gguf.length,
    });
    expect(JSON.stringify(sidecar)).not.toContain(TOKEN);
    const p = await modelProvenance("llama:hf:acme/gated-GGUF:tiny.gguf", path, { cached: true });
    expect(p).toMatchObject({ commit: COMMIT, sha256: sha(gguf), bytes: gguf.length });
    // A local file is hashed on each load, and nothing is written beside it.
    const local = await modelProvenance("llama:./x.gguf", path, { cached: false });
    expect(local.sha256).toBe(sha(gguf));
    expect(local.commit).toBeUndefined();
  });

  it("says that AdvBench may be gated when the hub refuses it", async () => {
    const cacheDir = tempDir("candor-hub-");
    const err = await fetchHubDataset(
      "advbench",
      { id: "walledai/AdvBench" },
      { cacheDir, endpoint: hub.url, env: {}, retries: 0 },
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(
      "walledai/AdvBench is (possibly) gated: accept its terms at https://huggingface.co/datasets/walledai/AdvBench",
    );
    expect((err as Error).message).toContain("no HF_TOKEN is set (nor HUGGING_FACE_HUB_TOKEN)");
  });
});
