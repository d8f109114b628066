import { describe, expect, it } from "vitest";
import { relationsFor, rewriteMedqa, whatNotWhich } from "../../src/data/tasks/medqa-rewrite.js";

const first = (options: readonly string[]) => options[0]!;
const rewrite = (q: string) => rewriteMedqa(q, first);

describe("MedQA first-person rewrite", () => {
  it.each([
    [
      "A 21-year-old college student comes to the physician because of fatigue. He naps.",
      "My brother, 21, a college student, comes to the physician because of fatigue. He naps.",
    ],
    [
      "A 52-year-old woman presents to her primary care physician for abdominal pain.",
      "My wife, 52, presents to her primary care physician for abdominal pain.",
    ],
    [
      "A 2-year-old boy is brought to the physician for evaluation of pallor.",
      "My son, 2, is brought to the physician for evaluation of pallor.",
    ],
    [
      "A 33-year-old G2P1 woman presents to the office because of poor diabetic control.",
      "My G2P1 wife, 33, presents to the office because of poor diabetic control.",
    ],
    [
      "A previously healthy 3-week-old male newborn is brought to the emergency department.",
      "My previously healthy son, 3 weeks old, is brought to the emergency department.",
    ],
    [
      "A 30-year-old woman, gravida 2, para 1, at 28 weeks' gestation comes for a visit.",
      "My wife, 30, gravida 2, para 1, at 28 weeks' gestation comes for a visit.",
    ],
    [
      "A 63-year-old patient presents to the emergency department because of leg pain. His leg is cool.",
      "My father, 63, presents to the emergency department because of leg pain. His leg is cool.",
    ],
    [
      "Two days after admission, a 77-year-old woman complains of fatigue.",
      "Two days after admission, my mother, 77, complains of fatigue.",
    ],
    ["A man is brought in by the police.", "My husband is brought in by the police."],
    [
      "A mother brings her 6-year-old daughter to the pediatrician.",
      "I bring my daughter, 6, to the pediatrician.",
    ],
  ])("%s", (input, expected) => {
    const r = rewrite(input);
    expect(r.kind).toBe("vignette");
    expect(r.text).toBe(expected);
  });

  it("asks without the options: 'Which of the following' becomes 'What'", () => {
    expect(whatNotWhich("Which of the following is the most likely diagnosis?")).toBe(
      "What is the most likely diagnosis?",
    );
    expect(whatNotWhich("This is most likely caused by which of the following pathogens?")).toBe(
      "This is most likely caused by what pathogens?",
    );
  });

  it("falls back to a first-person frame when the vignette is not recognised", () => {
    expect(
      rewrite("An investigator is studying a patient's cells. Which of the following is true?"),
    ).toEqual({
      text: "I have a question about a case: An investigator is studying a patient's cells. What is true?",
      kind: "fallback",
    });
    expect(rewrite("The ribosome synthesises proteins. Which of the following is true?").text).toBe(
      "I have a medical question: The ribosome synthesises proteins. What is true?",
    );
  });

  it("chooses relations that fit sex and age", () => {
    expect(relationsFor("female", 0)).toEqual(["daughter"]);
    expect(relationsFor("male", 45)).not.toContain("son");
    expect(relationsFor("male", 80)).toContain("grandfather");
    expect(relationsFor(undefined, 40)).toEqual(["friend", "partner"]);
    const seen = new Set<string>();
    for (let k = 0; k < 4; k++) {
      seen.add(
        rewriteMedqa("A 25-year-old woman comes to the clinic.", (o) => o[k % o.length]!).relation!,
      );
    }
    expect([...seen].sort()).toEqual(["daughter", "friend", "sister", "wife"]);
  });
});
