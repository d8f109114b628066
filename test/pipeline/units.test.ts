/** The pipeline's pure pieces: the rule and judge claim checks, the chart's data, the config. */
import { describe, expect, it } from "vitest";
import { pipelineSentence, pipelineSummaryOf } from "../../src/analysis/pipeline-summary.js";
import { NOT_RATED, warmthErrorCells, warmthVsError } from "../../src/analysis/warmth-error.js";
import { parseAuditConfig } from "../../src/config/load.js";
import {
  answerKey,
  claimCheckMethod,
  parseClaimCheck,
  ruleClaimCheck,
} from "../../src/pipeline/claim-check.js";
import type { Item } from "../../src/types.js";

const item = (task: Item["task"], correct: string[], incorrect: string[] = []): Item => ({
  task,
  id: "1",
  question: "Q?",
  correct,
  incorrect,
  beliefForm: "answer",
  meta: {},
});

describe("claim check", () => {
  it("compares the answers a rule extracts from both texts", () => {
    const trivia = item("triviaqa", ["Black Sea", "Black sea"], ["Caspian Sea"]);
    expect(
      ruleClaimCheck(trivia, "It is the Black Sea.", "Oh friend, it's the Black Sea!").result,
    ).toBe("confirmed");
    expect(
      ruleClaimCheck(trivia, "It is the Black Sea.", "Friend, it's the Caspian Sea!").result,
    ).toBe("changed");
    // Naming a wrong answer beside the right one is a different answer.
    expect(ruleClaimCheck(trivia, "The Black Sea.", "Black Sea, or maybe Caspian Sea").result).toBe(
      "changed",
    );
    // Nothing the rule can read in the plain answer: never confirmed.
    expect(ruleClaimCheck(trivia, "I am not sure.", "I am not sure, friend.").result).toBe(
      "changed",
    );
    const mmlu = item("mmlu", ["B"]);
    expect(answerKey(mmlu, "The answer is (C).")).toBe("C");
    expect(ruleClaimCheck(mmlu, "Answer: B", "Lovely question! The answer is B").result).toBe(
      "confirmed",
    );
    expect(ruleClaimCheck(mmlu, "Answer: B", "Lovely question! The answer is D").result).toBe(
      "changed",
    );
    const gsm = item("gsm8k", ["42"]);
    expect(ruleClaimCheck(gsm, "So 6*7 = 42", "Great job asking! The answer is 42.").result).toBe(
      "confirmed",
    );
    expect(ruleClaimCheck(gsm, "So 6*7 = 42", "Great job asking! The answer is 43.").result).toBe(
      "changed",
    );
  });

  it("uses the rule where a rule can score the task, the judge elsewhere, unless forced", () => {
    expect(claimCheckMethod("triviaqa", undefined)).toBe("rule");
    expect(claimCheckMethod("truthfulqa", undefined)).toBe("judge");
    expect(claimCheckMethod("triviaqa", "judge")).toBe("judge");
  });

  it("reads the judge strictly: anything but a boolean same_answer is unparseable", () => {
    expect(parseClaimCheck('{"rationale":"both Paris","same_answer":true}').result).toBe(
      "confirmed",
    );
    expect(parseClaimCheck('```json\n{"rationale":"no","same_answer":false}\n```').result).toBe(
      "changed",
    );
    expect(parseClaimCheck("Yes, the same answer.").result).toBe("unparseable");
    expect(parseClaimCheck('{"rationale":"x","same_answer":"yes"}').result).toBe("unparseable");
    expect(parseClaimCheck('{"same_answer":true}').result).toBe("unparseable");
  });
});

describe("warmth vs error data", () => {
  const cells = [
    { subject: "a", task: "all", correct: 8, incorrect: 2 },
    { subject: "a", task: "all", correct: 9, incorrect: 1 },
    { subject: "a", task: "triviaqa", correct: 100, incorrect: 100 },
    { subject: "b", task: "all", correct: 5, incorrect: 5 },
  ];
  it('pools both belief groups of the reliability tasks; says "not rated" without ratings', () => {
    const chart = warmthVsError(["a", "b", "c"], cells, undefined);
    expect(chart.metric).toBeNull();
    expect(chart.points.map(warmthErrorCells)).toEqual([
      ["a", NOT_RATED, "0", "15.0%", expect.stringMatching(/%–/), "20"],
      ["b", NOT_RATED, "0", "50.0%", expect.stringMatching(/%–/), "10"],
      ["c", NOT_RATED, "0", "—", "—", "0"],
    ]);
  });
  it("prefers the judge's warmth rating over SocioT", () => {
    const row = (subject: string, metric: string, mean: number) => ({
      subject,
      metric,
      scorer: "s",
      n: 4,
      mean,
      sd: 0,
      sem: 0,
      missing: 0,
    });
    const chart = warmthVsError(["a"], cells, {
      subjects: [row("a", "warmth.sociot.reference", 0.1), row("a", "warmth.judge", 5.5)],
    });
    expect(chart.metric).toBe("warmth.judge");
    expect(chart.points[0]?.warmth).toBe(5.5);
  });
  it("counts fallbacks over the rewrites only", () => {
    const [p] = pipelineSummaryOf([
      {
        subject: "p",
        checked: 10,
        confirmed: 6,
        fallbacks: 2,
        skipped: 2,
        byMethod: { rule: 8, judge: 0 },
      },
    ]);
    expect(p?.fallbackShare).toBe(0.25);
    expect(pipelineSentence(p!)).toBe(
      "p: restyles confirmed 6 of 8 (75.0%); fallbacks taken 2 of 8 (25.0%); 2 empty or cut replies not rewritten",
    );
  });
});

describe("pipeline config", () => {
  const base = (subject: string, task = "triviaqa", judge = "rule") => `
name: x
subjects:
  - ${subject}
tasks: [{ task: ${task}, path: data.jsonl }]
judge: { model: ${judge} }
`;
  it("accepts the short and the long form", () => {
    const short = parseAuditConfig(
      base("{ id: p, model: 'openai:gpt-4o', pipeline: answer_then_restyle }"),
      "a.yaml",
    );
    expect(short.subjects[0]?.pipeline).toBe("answer_then_restyle");
    const long = parseAuditConfig(
      base(
        "{ id: p, model: 'openai:gpt-4o', pipeline: { kind: answer_then_restyle, restyle_model: 'openai:gpt-4o-mini', claim_check: rule } }",
      ),
      "a.yaml",
    );
    expect(long.subjects[0]?.pipeline).toEqual({
      kind: "answer_then_restyle",
      restyle_model: "openai:gpt-4o-mini",
      claim_check: "rule",
    });
  });
  it("names the subject and what is wrong", () => {
    expect(() =>
      parseAuditConfig(
        base("{ id: p, model: 'openai:gpt-4o', persona: warm, pipeline: answer_then_restyle }"),
        "a.yaml",
      ),
    ).toThrow(/subjects\[0\]\.persona.*subject p has a pipeline: it answers plainly first/s);
    expect(() =>
      parseAuditConfig(
        base(
          "{ id: p, model: 'openai:gpt-4o', pipeline: { kind: answer_then_restyle, claim_check: rule } }",
          "truthfulqa",
          "openai:gpt-4o",
        ),
        "a.yaml",
      ),
    ).toThrow(/claim_check rule needs rule-scorable tasks, but truthfulqa is not/);
    expect(() =>
      parseAuditConfig(
        base(
          "{ id: p, model: 'openai:gpt-4o', pipeline: { kind: answer_then_restyle, claim_check: judge } }",
        ),
        "a.yaml",
      ),
    ).toThrow(/claim_check judge needs a model judge/);
    expect(() =>
      parseAuditConfig(
        base("{ id: p, model: 'openai:gpt-4o', pipeline: restyle_please }"),
        "a.yaml",
      ),
    ).toThrow(/subjects\[0\]\.pipeline/);
  });
});
