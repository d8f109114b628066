import { describe, expect, it } from "vitest";
import type { AnswerType } from "../../src/data/tasks/answer-type.js";
import {
  chooseDistractors,
  type DistractorSource,
  questionTerms,
} from "../../src/data/tasks/distractor-choice.js";

const item = (
  id: string,
  question: string,
  value: string,
  type: AnswerType,
  extra: Partial<DistractorSource> = {},
): DistractorSource => {
  const key = value.toLowerCase();
  return { id, question, value, key, keys: new Set([key]), type, noun: undefined, ...extra };
};

describe("offline distractor choice", () => {
  it("takes the answer of the most similar question of the same type", () => {
    const items = [
      item("a", "Which river flows through Cologne?", "Rhine", "place", { noun: "river" }),
      item("b", "Which river flows through Paris?", "Seine", "place", { noun: "river" }),
      item("c", "Which city hosted the 1992 Olympics?", "Barcelona", "place", { noun: "city" }),
      item("d", "Which city hosted the 2012 Olympics?", "London", "place", { noun: "city" }),
      item("e", "Which river flows through London?", "Thames", "other"),
    ];
    const chosen = chooseDistractors(items, 7).map((j) => (j === undefined ? "-" : items[j]!.id));
    // "e" is the only "other": no partner, no belief, never a place.
    expect(chosen).toEqual(["b", "a", "d", "c", "-"]);
  });

  it("never offers an alias of the right answer nor an answer the question names", () => {
    const items = [
      item("a", "Who was the father of the prophet Muhammad?", "Abdullah", "person", {
        keys: new Set(["abdullah", "abd allah"]),
      }),
      item("b", "Which prophet founded Islam?", "Muhammad", "person"),
      item("c", "Who was the father of the prophet Abraham?", "Abd Allah", "person"),
      item("d", "Who was the father of King Solomon?", "David", "person"),
    ];
    expect(chooseDistractors(items, 1)[0]).toBe(3);
  });

  it("chooses for no item that has its own wrong answer, but offers its answer to others", () => {
    const items = [
      item("a", "What is the official language of Brazil?", "Portuguese", "other"),
      item("b", "What is the official language of Chile?", "Spanish", "other", { wanted: false }),
    ];
    expect(chooseDistractors(items, 1)).toEqual([1, undefined]);
  });

  it("spreads a popular answer: the least used of the near-best goes first", () => {
    const items = [
      item("x", "What is the official language of Kenya?", "Swahili", "other"),
      item("y", "What is the official language of Israel?", "Hebrew", "other"),
      item("a", "What is the official language of Brazil?", "Portuguese", "other"),
      item("b", "What is the official language of Mexico?", "Spanish", "other"),
    ];
    const chosen = chooseDistractors(items, 3);
    const keys = chosen.map((j) => items[j!]!.value);
    expect(new Set(keys).size).toBe(4);
  });

  it("compares content words only, singular and lower-cased", () => {
    expect(questionTerms("Which RIVERS flow into the North Sea?")).toEqual([
      "river",
      "flow",
      "north",
      "sea",
    ]);
  });
});
