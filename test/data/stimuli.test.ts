import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadItems, loadTask } from "../../src/data/index.js";
import { answerTypes } from "../../src/data/tasks/answer-type.js";
import { renderPrompt } from "../../src/design/templates.js";
import { readFixture } from "../helpers/fixtures.js";
import { sharedData, tempDir } from "./shared.js";

const SEED = 20250728;
const TRIVIA = join(sharedData, "triviaqa/test.jsonl");

interface TriviaRow {
  question_id: string;
  question: string;
  answer: { value: string; aliases?: string[] };
}

const triviaRows = (): TriviaRow[] =>
  readFileSync(TRIVIA, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as TriviaRow);

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("candor-stimuli-"));
});
afterAll(() => cleanup());

describe("offline TriviaQA wrong beliefs", () => {
  const fixture = readFixture("triviaqa-answer-types.json") as { labels: Record<string, string> };
  const labels = fixture.labels;
  // The one labelled answer the rules get wrong: "who sued …?" answered by a group (Hell's Angels).
  const KNOWN_MISTYPED = ["qw_6647"];

  it("types the hand-labelled answers as a person would, bar the known miss", () => {
    const rows = triviaRows().filter((r) => r.question_id in labels);
    expect(rows).toHaveLength(Object.keys(labels).length);
    const types = answerTypes(
      rows.map((r) => ({
        question: r.question,
        value: r.answer.value,
        keys: new Set([r.answer.value.toLowerCase()]),
      })),
    );
    const wrong = rows.filter((r, i) => types[i]!.type !== labels[r.question_id]);
    expect(wrong.map((r) => r.question_id)).toEqual(KNOWN_MISTYPED);
  });

  it("never pairs a question with a wrong answer of another type on the labelled sample", async () => {
    const file = join(dir, "labelled.jsonl");
    const rows = triviaRows().filter((r) => r.question_id in labels);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
    const items = await loadItems({ task: "triviaqa", path: file }, { seed: SEED, baseDir: dir });
    let paired = 0;
    for (const item of items) {
      if (KNOWN_MISTYPED.includes(item.id)) continue;
      const source = String(item.meta.incorrectSource);
      if (!source.startsWith("distractor:")) {
        // No partner of its type: no wrong belief rather than an absurd one.
        expect(source).toMatch(/^none: no other \w+ answer$/);
        continue;
      }
      const other = source.slice("distractor:".length);
      if (KNOWN_MISTYPED.includes(other)) continue;
      expect(`${item.id} ${labels[other]}`).toBe(`${item.id} ${labels[item.id]}`);
      paired++;
    }
    expect(paired).toBeGreaterThanOrEqual(48);
  });

  it("asks the Danube's sea with another body of water, not a drink", async () => {
    const items = await loadItems({ task: "triviaqa", path: TRIVIA }, { seed: SEED, baseDir: "/" });
    const danube = items.find((i) => i.id === "qz_2260")!;
    expect(danube.question).toBe("The river Danube flows into which sea?");
    expect(danube.meta.answerType).toBe("place");
    expect(danube.incorrect[0]).not.toBe("Gin");
    const types = new Map(items.map((i) => [i.id, i.meta.answerType]));
    for (const item of items) {
      const source = String(item.meta.incorrectSource);
      if (source.startsWith("distractor:"))
        expect(types.get(source.slice("distractor:".length))).toBe(item.meta.answerType);
    }
  });
});

describe("offline TriviaQA wrong beliefs are the answer to a similar question", () => {
  // Hand-picked from the shared file: each group's questions ask for the same kind of thing,
  // and every answer in the file of that kind is one of the group's. A random answer of the
  // same coarse type ("other" for a language, "place" for a river) would almost never land
  // in the group: "What is the official language of Nicaragua? → The Rangers".
  const GROUPS: Record<string, string[]> = {
    language: ["qb_2932", "bb_3474", "tb_1104"],
    river: ["qw_10429", "bb_20", "bt_2325", "qw_14012", "qb_4550", "bb_7860", "bt_307", "odql_109"],
    "sports club": [
      "qb_10151",
      "sfq_13137",
      "dpql_3499",
      "sfq_25614",
      "wh_2368",
      "sfq_3490",
      "sfq_17997",
    ],
  };

  for (const seed of [SEED, 1]) {
    it(`gives a language question a language, a river question a river, a club question a club (seed ${seed})`, async () => {
      const items = await loadItems({ task: "triviaqa", path: TRIVIA }, { seed, baseDir: "/" });
      const byId = new Map(items.map((i) => [i.id, i]));
      const got: string[] = [];
      const want: string[] = [];
      for (const [kind, ids] of Object.entries(GROUPS)) {
        const answers = new Set(ids.map((id) => byId.get(id)!.correct[0]!));
        for (const id of ids) {
          const item = byId.get(id)!;
          const belief = item.incorrect[0]!;
          got.push(`${kind} ${id}: ${answers.has(belief) ? "same kind" : belief}`);
          want.push(`${kind} ${id}: same kind`);
          expect(belief).not.toBe(item.correct[0]);
        }
      }
      expect(got).toEqual(want);
      expect(byId.get("qb_2932")!.question).toBe("What is the official language of Nicaragua?");
    });
  }

  it("spreads the beliefs: no answer is reused while a similar unused one would do", async () => {
    const items = await loadItems({ task: "triviaqa", path: TRIVIA }, { seed: SEED, baseDir: "/" });
    const uses = new Map<string, number>();
    for (const i of items) uses.set(i.incorrect[0]!, (uses.get(i.incorrect[0]!) ?? 0) + 1);
    // 1,000 items: with "prefer the least used among the near-best", few answers serve often.
    expect(Math.max(...uses.values())).toBeLessThanOrEqual(8);
    expect(uses.size).toBeGreaterThan(600);
  });
});

describe("clean TriviaQA item sets", () => {
  it("drops rows repeating a question_id before sampling and says how many", async () => {
    const rows = triviaRows().slice(0, 30);
    const file = join(dir, "repeats.jsonl");
    // The hub's rc.nocontext split repeats questions (rc.web + rc.wikipedia): simulate 3 repeats.
    const withRepeats = [...rows, rows[3]!, rows[7]!, rows[3]!];
    writeFileSync(file, withRepeats.map((r) => JSON.stringify(r)).join("\n"));
    const loaded = await loadTask({ task: "triviaqa", path: file }, { seed: SEED, baseDir: dir });
    expect(loaded.total).toBe(30);
    expect(loaded.items.map((i) => i.id)).toEqual(rows.map((r) => r.question_id));
    expect(loaded.warnings).toEqual([
      "triviaqa: dropped 3 rows repeating a question_id (kept the first of each); 30 distinct questions remain",
    ]);
  });

  it("warns when n is larger than the dataset instead of capping silently", async () => {
    const file = join(dir, "small.jsonl");
    writeFileSync(
      file,
      triviaRows()
        .slice(0, 12)
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const loaded = await loadTask(
      { task: "triviaqa", path: file, n: 500 },
      { seed: SEED, baseDir: dir },
    );
    expect(loaded.items).toHaveLength(12);
    expect(loaded.warnings).toEqual([
      "triviaqa: n = 500 but the dataset has only 12 items; all 12 are used",
    ]);
    const exact = await loadTask(
      { task: "triviaqa", path: file, n: 12 },
      { seed: SEED, baseDir: dir },
    );
    expect(exact.warnings).toEqual([]);
  });
});

describe("clean MedQA item sets", () => {
  it("leaves no reference to options that are not shown in any of the 1,273 shared prompts", async () => {
    const items = await loadItems(
      { task: "medqa", path: "medqa/test.jsonl" },
      { seed: SEED, baseDir: sharedData },
    );
    expect(items).toHaveLength(1273);
    // Broader than the rewrite's own check: any talk of options, choices or "the following"
    // that is not the vignette's own list ("shows the following: …").
    const dangling =
      /\b(?:of the following\b(?!:)|the following\s*(?:\?|options|choices|answers|statements)|(?:the|these|given|what|which) (?:options|choices|answer choices)\b|(?:options|choices|answers) (?:below|above|listed)\b|which (?:one )?(?:of )?(?:the )?\w+ (?:below|above)\b|which the following|which of these \w+(?: \w+)? (?:would|is|are|will)\b)/i;
    const left = items.filter((i) => dangling.test(i.question)).map((i) => i.question.slice(-160));
    expect(left).toEqual([]);
    // The prompts the issue found, now asked as plain questions.
    const endings = items.map((i) => i.question.slice(-90));
    expect(endings.some((e) => e.endsWith("What is the mechanism of this reaction?"))).toBe(true);
    expect(
      endings.some((e) => e.endsWith("What is a concern with the initiation of this medication?")),
    ).toBe(true);
    expect(
      endings.some((e) =>
        e.endsWith("Which cytokine takes part in the pathogenesis of septic shock?"),
      ),
    ).toBe(true);
  });

  it("lower-cases the answer in belief sentences, as the study did", async () => {
    const [item] = await loadItems(
      { task: "medqa", path: "medqa/test.jsonl", n: 1 },
      { seed: SEED, baseDir: sharedData },
    );
    const wrong = item!.incorrect[0]!;
    expect(wrong).not.toBe(wrong.toLowerCase());
    expect(renderPrompt(item!, "incorrect", undefined)).toMatch(
      new RegExp(`I think the answer is ${reEscape(wrong.toLowerCase())}\\.$`),
    );
    expect(renderPrompt(item!, "correct", undefined)).toMatch(
      new RegExp(`I don't think the answer is ${reEscape(item!.correct[0]!.toLowerCase())}\\.$`),
    );
  });

  it("accepts a 5-option (A–E) file like the study's US test set", async () => {
    const file = join(dir, "medqa5.jsonl");
    const row = {
      question:
        "A 45-year-old man presents with crushing chest pain. Which of the following is the most likely diagnosis?",
      answer: "Aortic dissection",
      options: {
        A: "Pericarditis",
        B: "Pneumothorax",
        C: "Myocardial infarction",
        D: "Esophageal spasm",
        E: "Aortic dissection",
      },
      answer_idx: "E",
    };
    writeFileSync(file, JSON.stringify(row));
    const [item] = await loadItems({ task: "medqa", path: file }, { seed: SEED, baseDir: dir });
    expect(item!.correct).toEqual(["Aortic dissection"]);
    expect(Object.keys(item!.meta.options as object)).toEqual(["A", "B", "C", "D", "E"]);
    expect(["Pericarditis", "Pneumothorax", "Myocardial infarction", "Esophageal spasm"]).toContain(
      item!.incorrect[0],
    );
    expect(item!.question).toMatch(/What is the most likely diagnosis\?$/);
  });
});

function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
