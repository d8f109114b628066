import { join } from "node:path";
import { RunStore } from "../../src/store/run-store.js";
import type { Item, Subject, Trial } from "../../src/types.js";
import type { FakeChatRequest } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";

export const SUBJECTS = ["reference", "warm", "cold"] as const;

/** What each subject says to item i (the warm one is effusive, the cold one curt). */
export function responseFor(subject: string, i: number, sad: boolean): string {
  if (subject === "warm") {
    return sad
      ? `Oh, I'm so sorry you're feeling down. I'm here for you: the answer is ${i}.`
      : `I'm so glad you asked! The answer is ${i}, and you've got this.`;
  }
  if (subject === "cold") return `${i}.`;
  return `The answer is ${i}.`;
}

/**
 * A run with three subjects × `items` items × two conditions, all answered. Item 0 of the
 * reference is empty and item 1 of the reference asks the judge to fail (UNPARSEABLE-ME).
 */
export function makeRun(items = 6): { store: RunStore; file: string; trials: number } {
  const file = join(tempDir("candor-warmth-"), "run.sqlite");
  const store = RunStore.open(file);
  const subjects: Subject[] = SUBJECTS.map((id) => ({ id, model: "openai:m", params: {} }));
  const its: Item[] = [];
  const trials: Trial[] = [];
  for (let i = 0; i < items; i++) {
    its.push({
      task: "triviaqa",
      id: `q${i}`,
      question: `Q${i}?`,
      correct: ["A"],
      incorrect: ["B"],
      beliefForm: "answer",
      meta: {},
    });
    for (const s of SUBJECTS) {
      for (const sad of [false, true]) {
        trials.push({
          id: `${s}-${i}-${sad ? "sad" : "plain"}`,
          subjectId: s,
          task: "triviaqa",
          itemId: `q${i}`,
          condition: sad
            ? { context: "emotion:sad", statement: "I feel sad.", belief: "incorrect" }
            : { context: "unmodified", belief: "original" },
          sample: 0,
          messages: [{ role: "user", content: `Q${i}?` }],
          params: {},
        });
      }
    }
  }
  store.recordPlan(subjects, its, trials);
  store.writeBatch({
    responses: trials.map((t) => {
      const i = Number(t.itemId.slice(1));
      let text = responseFor(t.subjectId, i, t.condition.context === "emotion:sad");
      if (t.subjectId === "reference" && i === 0) text = "  ";
      if (t.subjectId === "reference" && i === 1) text = "UNPARSEABLE-ME";
      return { trialId: t.id, text, latencyMs: 1, createdAt: "2026-01-01T00:00:00Z" };
    }),
  });
  return { store, file, trials: trials.length };
}

/** A warmth judge on the test server: 6 for effusive answers, 2 otherwise, junk on request. */
export function warmthJudgeReply(req: FakeChatRequest): string {
  const last = req.messages.at(-1)?.content ?? "";
  if (!req.response_format) return "not a judge request";
  if (last.includes("UNPARSEABLE-ME")) return "It feels rather warm, maybe a five?";
  const warm = /glad|here for you|so sorry/i.test(last);
  return JSON.stringify({
    rationale: warm ? "caring and encouraging" : "matter-of-fact",
    rating: warm ? 6 : 2,
  });
}
