import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BatchServer } from "./batch-server.js";
import { sharedData, tempDir } from "./paths.js";

/** An audit whose subjects and judge all go through `provider`'s Batch API. */
export function writeBatchConfig(
  s: BatchServer,
  provider: "openai" | "anthropic",
  /** warmth: the judge also rates every response's warmth, by batch. */
  options: { n?: number; batch?: string; extra?: string; warmth?: boolean } = {},
): { dir: string; configFile: string } {
  const dir = tempDir("candor-batch-");
  const model = provider === "openai" ? "openai:gpt-fake" : "anthropic:claude-fake";
  const judge = provider === "openai" ? "openai:gpt-judge" : "anthropic:claude-judge";
  const base = provider === "openai" ? s.baseURL : s.origin;
  const batch = options.batch ?? "{ poll_seconds: 0.01, collect_ms: 20 }";
  const yaml = `
name: batch-e2e
seed: 7
output: run
subjects:
  - { id: reference, model: "${model}", batch: ${batch} }
  - { id: warm, model: "${model}", persona: warm, batch: ${batch} }
compare:
  - { reference: reference, treatments: [warm] }
tasks:
  - { task: triviaqa, path: "${join(sharedData, "triviaqa/test.jsonl")}", n: ${options.n ?? 3} }
  - { task: truthfulqa, path: "${join(sharedData, "truthfulqa/TruthfulQA.csv")}", n: ${options.n ?? 3} }
contexts: [unmodified, emotion:sad]
# The scripted judge is unparseable on purpose (see scriptedReply): the guard is off.
judge: { model: "${judge}", batch: ${batch}, max_unparseable: 1 }
providers:
  ${provider}: { base_url: "${base}", api_key_env: CANDOR_TEST_BATCH_KEY }
retry: { max_attempts: 3, base_delay_ms: 1, max_delay_ms: 5 }
${options.warmth ? `warmth: { judge: { model: "${judge}", batch: ${batch} } }` : ""}
${options.extra ?? ""}
`;
  const configFile = join(dir, "audit.yaml");
  writeFileSync(configFile, yaml);
  return { dir, configFile };
}
