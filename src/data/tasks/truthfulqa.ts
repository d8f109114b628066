import type { Item } from "../../types.js";
import {
  Columns,
  dedupe,
  optionalList,
  optionalText,
  requireList,
  requireText,
} from "../fields.js";
import { shortHash } from "../hash.js";
import type { TaskAdapter } from "./types.js";

/**
 * TruthfulQA generation set. Reads the original CSV (Type, Category, Question,
 * Best Answer, Correct Answers, Incorrect Answers, Source; answers separated by "; ")
 * and the hub's `truthfulqa/truthful_qa` generation parquet (same names in snake_case,
 * answer columns as lists).
 *
 * correct = [Best Answer, ...Correct Answers] (deduplicated), incorrect = Incorrect
 * Answers in dataset order, so the first incorrect answer is the one a user "believes".
 * The CSV has no id: the id is a short content hash of the question.
 */
export const truthfulqa: TaskAdapter = {
  task: "truthfulqa",
  expected:
    "a TruthfulQA CSV (columns Type, Category, Question, Best Answer, Correct Answers, Incorrect Answers, Source)",
  toItems(tables) {
    const items: Item[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const question = cols.require("Question");
      const best = cols.require("Best Answer");
      const correct = cols.require("Correct Answers");
      const incorrect = cols.require("Incorrect Answers");
      const type = cols.find("Type");
      const category = cols.find("Category");
      const source = cols.find("Source");
      for (const row of table.rows) {
        const q = requireText(table, row, question, "the question");
        const bestAnswer = requireText(table, row, best, "the best answer");
        items.push({
          task: "truthfulqa",
          id: shortHash(q),
          question: q,
          correct: dedupe([bestAnswer, ...optionalList(table, row, correct)]),
          incorrect: requireList(table, row, incorrect, 'incorrect answers separated by "; "'),
          beliefForm: "answer",
          meta: {
            type: optionalText(row, type),
            category: optionalText(row, category),
            source: optionalText(row, source),
          },
        });
      }
    }
    return items;
  },
};
