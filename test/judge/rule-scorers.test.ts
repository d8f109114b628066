import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadItems } from "../../src/data/index.js";
import { matchedAnswer, normalizeTriviaqa } from "../../src/judge/answer-match.js";
import { ruleAgreement } from "../../src/judge/rule-agreement.js";
import { ruleJudgeVerdict } from "../../src/judge/rule-judge.js";
import { scoreMedqa, scoreTriviaqa } from "../../src/judge/scorers.js";
import { sharedData } from "../helpers/paths.js";

const TRIVIAQA = join(sharedData, "triviaqa/test.jsonl");
const MEDQA = join(sharedData, "medqa/test.jsonl");

describe("TriviaQA normalisation", () => {
  it("reproduces the dataset's own normalized_aliases (made by TriviaQA's official normalize_answer)", () => {
    let aliases = 0;
    const mismatches: string[] = [];
    for (const line of readFileSync(TRIVIAQA, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const row = JSON.parse(line) as {
        answer: { aliases: string[]; normalized_aliases: string[] };
      };
      const official = new Set(row.answer.normalized_aliases);
      for (const alias of row.answer.aliases) {
        aliases++;
        const mine = normalizeTriviaqa(alias);
        // Aliases that are only punctuation and an article (".a") normalise to nothing; the file drops those.
        if (mine !== "" && !official.has(mine)) mismatches.push(`${alias} → ${mine}`);
      }
    }
    expect(aliases).toBeGreaterThan(5000);
    expect(mismatches).toEqual([]);
  });

  it("matches whole words only, after dropping articles and punctuation", () => {
    expect(normalizeTriviaqa("The Black-Sea’s shore, an_end!")).toBe("black sea s shore end");
    expect(matchedAnswer("It happened in 1990.", ["1"])).toBeUndefined();
    expect(matchedAnswer("It flows into THE BLACK SEA, friend!", ["Black Sea"])).toBe("Black Sea");
    expect(matchedAnswer("Día de la Raza", ["día de la raza"])).toBe("día de la raza");
  });
});

describe("rule scorers on the shared datasets", () => {
  it("TriviaQA: any alias in the response is CORRECT, none is INCORRECT", async () => {
    const items = await loadItems(
      { task: "triviaqa", path: TRIVIAQA, n: 40 },
      { seed: 3, baseDir: "/" },
    );
    for (const item of items) {
      const alias = item.correct.at(-1)!;
      expect(scoreTriviaqa(item, `Good question! I'm fairly sure it is ${alias}.`).label).toBe(
        "CORRECT",
      );
      expect(scoreTriviaqa(item, "I really could not say, sorry.").label).toBe("INCORRECT");
      const wrong = item.incorrect[0]!;
      // The distractor is another item's answer; it never normalises to one of this item's aliases.
      expect(scoreTriviaqa(item, `It is ${wrong}.`).label).toBe(
        matchedAnswer(wrong, item.correct) === undefined ? "INCORRECT" : "CORRECT",
      );
    }
    const danube = items.find((i) => i.question.includes("Danube"));
    if (danube) expect(scoreTriviaqa(danube, "It flows into the Euxine.").label).toBe("CORRECT");
  });

  it("MedQA: the answer option's text is CORRECT, a wrong option's text INCORRECT, both INCORRECT", async () => {
    const items = await loadItems({ task: "medqa", path: MEDQA, n: 40 }, { seed: 3, baseDir: "/" });
    let checked = 0;
    for (const item of items) {
      const answer = item.correct[0]!;
      const wrong = item.incorrect[0]!;
      // Options that contain one another cannot be told apart by text; the scorer ignores those.
      if (matchedAnswer(answer, [wrong]) || matchedAnswer(wrong, [answer])) continue;
      checked++;
      expect(scoreMedqa(item, `From what you describe, I'd say: ${answer}.`)).toMatchObject({
        label: "CORRECT",
      });
      expect(scoreMedqa(item, `Most likely ${wrong}.`).label).toBe("INCORRECT");
      expect(scoreMedqa(item, `Either ${answer} or ${wrong}.`).label).toBe("INCORRECT");
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("the rule judge applies the study's refusal phrases first and scores no open-ended task", async () => {
    const [item] = await loadItems(
      { task: "triviaqa", path: TRIVIAQA, n: 1 },
      { seed: 3, baseDir: "/" },
    );
    expect(ruleJudgeVerdict(item!, `I cannot say, but maybe ${item!.correct[0]}`)?.label).toBe(
      "REFUSAL",
    );
    expect(ruleJudgeVerdict({ ...item!, task: "truthfulqa" }, "Yes.")).toBeUndefined();
  });
});

describe("judge-vs-rule agreement", () => {
  it("gives agreement per subject and task and warns on a treatment-vs-reference gap above the threshold", () => {
    const check = ruleAgreement(
      [
        { subject: "ref", task: "triviaqa", cc: 40, ci: 2, ic: 3, ii: 55 },
        { subject: "warm", task: "triviaqa", cc: 40, ci: 15, ic: 1, ii: 44 },
        { subject: "ref", task: "medqa", cc: 10, ci: 0, ic: 0, ii: 10 },
        { subject: "warm", task: "medqa", cc: 10, ci: 1, ic: 0, ii: 9 },
      ],
      {
        judge: "j",
        rule: "rule#v1",
        tasks: ["triviaqa", "medqa"],
        compare: [{ reference: "ref", treatments: ["warm"] }],
        maxGapPp: 5,
      },
    );
    expect(check.cells.find((c) => c.subject === "warm" && c.task === "triviaqa")).toMatchObject({
      n: 100,
      agreement: 0.84,
      judgeOnlyCorrect: 15,
      ruleOnlyCorrect: 1,
    });
    expect(check.cells.find((c) => c.subject === "ref" && c.task === "all")?.agreement).toBeCloseTo(
      115 / 120,
      12,
    );
    const gap = (task: string) => check.gaps.find((g) => g.task === task)!;
    expect(gap("triviaqa").gapPp).toBeCloseTo(-11, 9);
    expect(gap("triviaqa").warn).toBe(true);
    expect(gap("medqa").gapPp).toBeCloseTo(-5, 9);
    expect(gap("medqa").warn).toBe(false); // exactly at the threshold is not over it
    expect(check.warnings).toHaveLength(2); // triviaqa and all
    expect(check.warnings[0]).toContain(
      "triviaqa: the judge agrees with the rule on 84.0% of warm's answers but 95.0% of ref's",
    );
  });
});
