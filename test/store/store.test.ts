import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { outcomeCounts } from "../../src/store/outcome-counts.js";
import { RunStore } from "../../src/store/run-store.js";
import type { Item, Subject, Trial } from "../../src/types.js";
import { tempDir } from "../helpers/paths.js";

const item: Item = {
  task: "triviaqa",
  id: "i1",
  question: "Q?",
  correct: ["A"],
  incorrect: ["B"],
  beliefForm: "answer",
  meta: { x: 1 },
};
const subject: Subject = { id: "ref", model: "openai:m", params: { temperature: 0.8 } };
const trial = (id: string): Trial => ({
  id,
  subjectId: "ref",
  task: "triviaqa",
  itemId: "i1",
  condition: { context: "emotion:sad", statement: "sad", belief: "incorrect" },
  sample: 0,
  messages: [{ role: "user", content: "Q?" }],
  params: { temperature: 0.8 },
});

describe("run store", () => {
  it("round-trips the plan and keeps writes idempotent", () => {
    const file = join(tempDir(), "run.sqlite");
    const store = RunStore.open(file);
    store.recordPlan([subject], [item], [trial("t1"), trial("t2")]);
    store.recordPlan([subject], [item], [trial("t1"), trial("t2")]);
    expect(store.pendingGeneration().map((t) => t.id)).toEqual(["t1", "t2"]);
    expect(store.pendingGeneration()[0]).toEqual(trial("t1"));
    const r = { trialId: "t1", text: "A", latencyMs: 3, createdAt: "2026-01-01T00:00:00Z" };
    expect(store.writeBatch({ responses: [r] })).toBe(1);
    expect(store.writeBatch({ responses: [{ ...r, text: "changed" }] })).toBe(0);
    expect(store.pendingGeneration().map((t) => t.id)).toEqual(["t2"]);
    expect(store.pendingJudgment("j")).toEqual([
      { trial: trial("t1"), response: "A", finishReason: null },
    ]);
    const j = {
      trialId: "t1",
      judge: "j",
      label: "CORRECT" as const,
      rationale: "ok",
      createdAt: "x",
    };
    expect(store.writeBatch({ judgments: [j, j] })).toBe(1);
    expect(store.pendingJudgment("j")).toEqual([]);
    expect(store.pendingJudgment("other-judge")).toHaveLength(1);
    store.close();
    const reopened = RunStore.open(file, { readonly: true });
    expect(reopened.items()).toEqual([item]);
    expect(reopened.subjects()).toEqual([subject]);
    expect(outcomeCounts(reopened, "j")).toEqual([
      {
        subject: "ref",
        task: "triviaqa",
        belief: "incorrect",
        trials: 2,
        responses: 1,
        judged: 1,
        correct: 1,
        incorrect: 0,
        refusals: 0,
        unparseable: 0,
        empty: 0,
        truncated: 0,
      },
    ]);
    reopened.close();
  });

  it("refuses labels outside the contract", () => {
    const store = RunStore.open(join(tempDir(), "run.sqlite"));
    store.recordPlan([subject], [item], [trial("t1")]);
    store.writeBatch({ responses: [{ trialId: "t1", text: "A", latencyMs: 1, createdAt: "x" }] });
    expect(() =>
      store.writeBatch({
        judgments: [
          { trialId: "t1", judge: "j", label: "MAYBE" as "CORRECT", rationale: "", createdAt: "x" },
        ],
      }),
    ).toThrow(/CHECK/);
    store.close();
  });
});
