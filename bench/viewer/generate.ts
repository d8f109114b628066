/**
 * Writes a synthetic run store of realistic shape for the viewer benchmark:
 * subjects × tasks × items × 9 contexts × 4 beliefs, every trial answered and
 * judged, through RunStore (so migrations, indexes and FTS triggers are the
 * real ones). Default: 4 subjects × 4 tasks × 875 items × 36 conditions =
 * 504,000 trials.
 *
 *   node --import tsx bench/viewer/generate.ts <out-dir> [--items 875] [--subjects 4]
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { RunStore } from "../../src/store/run-store.js";
import type {
  Item,
  Judgment,
  JudgmentLabel,
  Response,
  Subject,
  TaskName,
  Trial,
} from "../../src/types.js";
import { BELIEFS, CONTEXTS } from "../../src/types.js";
import { mulberry32 } from "../../test/helpers/rng.js";

const WORDS =
  "the answer is likely that because however although people often believe historically known evidence suggests research shows common misconception actually correct incorrect sorry glad feel understand question great friend support truth fact city capital river mountain king queen war novel author film music science physics medicine doctor patient symptoms treatment dose heart brain lung kidney vaccine virus bacteria gravity planet moon sun star ocean island country europe asia africa america london paris tokyo berlin rome".split(
    " ",
  );

export interface GenerateOptions {
  dir: string;
  items?: number;
  subjects?: number;
  seed?: number;
  log?: (s: string) => void;
}

export function generateRun(opts: GenerateOptions): {
  file: string;
  trials: number;
  seconds: number;
} {
  const t0 = performance.now();
  const rand = mulberry32(opts.seed ?? 1);
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
  const nItems = opts.items ?? 875;
  const subjectIds = ["reference", "warm", "cold", "warm-sysprompt"].slice(0, opts.subjects ?? 4);
  const tasks: TaskName[] = ["triviaqa", "truthfulqa", "disinfo", "medqa"];
  const judge = "openai:gpt-4o#rubric-v1";
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const file = join(opts.dir, "run.sqlite");
  const store = RunStore.open(file);
  const config = {
    name: "viewer-bench",
    seed: 1,
    subjects: subjectIds.map((id) => ({ id, model: `openai:${id}-model` })),
    compare: [{ reference: "reference", treatments: subjectIds.slice(1) }],
    tasks: tasks.map((task) => ({ task })),
    contexts: [...CONTEXTS],
    beliefs: [...BELIEFS],
    samples: 1,
    judge: { model: "openai:gpt-4o" },
    providers: {},
    retry: { max_attempts: 6, base_delay_ms: 500, max_delay_ms: 30000 },
    timeout_ms: 120000,
  };
  store.setMeta("config", JSON.stringify(config));
  store.setMeta("created_at", new Date().toISOString());
  const subjects: Subject[] = subjectIds.map((id) => ({
    id,
    model: `openai:${id}-model`,
    params: { temperature: 0.8, maxTokens: 300 },
    ...(id === "reference" ? {} : { systemPrompt: `You are ${id}. ${words(60)}` }),
  }));
  let total = 0;
  const now = new Date().toISOString();
  for (const task of tasks) {
    // One task per transaction batch keeps memory flat.
    const items: Item[] = [];
    for (let i = 0; i < nItems; i++) {
      items.push({
        task,
        id: `${task}-${i}`,
        question: `${words(12)}?`,
        correct: [words(3)],
        incorrect: [words(3)],
        beliefForm: "answer",
        meta: {},
      });
    }
    store.recordPlan(subjects, items, []);
    for (let start = 0; start < nItems; start += 50) {
      const trials: Trial[] = [];
      const responses: Response[] = [];
      const judgments: Judgment[] = [];
      for (const item of items.slice(start, start + 50)) {
        for (const context of CONTEXTS) {
          for (const belief of BELIEFS) {
            const user = `${context === "unmodified" ? "" : `${words(15)}. `}${item.question}${belief === "incorrect" ? ` I think the answer is ${item.incorrect[0]}.` : ""}`;
            for (const s of subjects) {
              const id = `${s.id}:${item.id}:${context}:${belief}`;
              trials.push({
                id,
                subjectId: s.id,
                task,
                itemId: item.id,
                condition:
                  context === "unmodified"
                    ? { context, belief }
                    : { context, statement: words(15), belief },
                sample: 0,
                messages: [
                  ...(s.systemPrompt ? [{ role: "system" as const, content: s.systemPrompt }] : []),
                  { role: "user" as const, content: user },
                ],
                params: s.params,
              });
              const r = rand();
              const label: JudgmentLabel =
                r < 0.002
                  ? "UNPARSEABLE"
                  : r < 0.012
                    ? "REFUSAL"
                    : r < (s.id === "reference" ? 0.2 : 0.3)
                      ? "INCORRECT"
                      : "CORRECT";
              responses.push({
                trialId: id,
                text: words(60 + Math.floor(rand() * 140)),
                finishReason: "stop",
                promptTokens: 120,
                completionTokens: 180,
                latencyMs: 800 + rand() * 1500,
                createdAt: now,
              });
              judgments.push({
                trialId: id,
                judge,
                label,
                rationale: words(25),
                createdAt: now,
              });
            }
          }
        }
      }
      store.recordPlan([], [], trials);
      store.writeBatch({ responses, judgments });
      total += trials.length;
      opts.log?.(`\r${total} trials`);
    }
  }
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  store.close();
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(join(opts.dir, "GENERATED.txt"), `${total} trials, ${seconds.toFixed(1)} s\n`);
  return { file, trials: total, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { items: { type: "string" }, subjects: { type: "string" } },
  });
  const dir = positionals[0];
  if (!dir) throw new Error("usage: generate.ts <out-dir> [--items N] [--subjects N]");
  const res = generateRun({
    dir,
    ...(values.items ? { items: Number(values.items) } : {}),
    ...(values.subjects ? { subjects: Number(values.subjects) } : {}),
    log: (s) => process.stderr.write(s),
  });
  process.stderr.write(`\n${res.trials} trials in ${res.seconds.toFixed(1)} s → ${res.file}\n`);
}
