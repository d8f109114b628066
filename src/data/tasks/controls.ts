import { basename } from "node:path";
import { DataError } from "../../errors.js";
import type { Item } from "../../types.js";
import { Columns, cellWhere, optionalList, optionalText, requireText } from "../fields.js";
import { seededPick, shortHash } from "../hash.js";
import { formatFromPath } from "../table.js";
import type { TaskAdapter } from "./types.js";

/**
 * Capability and safety controls (STUDY.md §4): MMLU (zero-shot, letter answer),
 * GSM8K (zero-shot chain of thought, final number) and AdvBench (harmful requests;
 * the measure is the refusal rate, so there are no reference answers).
 */

const LETTERS = ["A", "B", "C", "D"] as const;

export const MMLU_INSTRUCTION = "Answer with the letter of the correct option (A, B, C or D).";
export const GSM8K_INSTRUCTION =
  'Let\'s think step by step. At the end, write the final answer as "Answer: <number>".';

/** MMLU question text with its lettered options and the answer-format instruction. */
export function formatMmlu(question: string, options: readonly string[]): string {
  const lines = options.map((o, i) => `${LETTERS[i]}. ${o}`);
  return `${question}\n\n${lines.join("\n")}\n\n${MMLU_INSTRUCTION}`;
}

/**
 * MMLU: the original CSVs (no header; question, A, B, C, D, answer letter; subject from
 * the file name, e.g. anatomy_test.csv) or the hub's `cais/mmlu` (question, subject,
 * choices list, answer index 0–3). correct = [letter, option text]; incorrect = [a wrong
 * letter, its text] (seeded), for completeness — the study used no belief conditions here.
 */
export const mmlu: TaskAdapter = {
  task: "mmlu",
  expected:
    "MMLU CSV without a header (question, A, B, C, D, answer letter), or columns question, choices, answer",
  readOptions: (file) =>
    formatFromPath(file) === "csv"
      ? { headerless: ["question", "A", "B", "C", "D", "answer"] }
      : {},
  toItems(tables, ctx) {
    const items: Item[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const question = cols.require("question");
      const choices = cols.find("choices");
      const answer = cols.require("answer");
      const subjectCol = cols.find("subject");
      const fileSubject = basename(table.file).replace(/(_test|_val|_dev)?\.[a-z]+$/i, "");
      const letterCols = choices ? [] : LETTERS.map((l) => cols.require(l));
      table.rows.forEach((row, i) => {
        // A user-made CSV may carry a header after all: skip it.
        if (i === 0 && !choices && /^question$/i.test(String(row.values[question] ?? "").trim()))
          return;
        const q = requireText(table, row, question, "the question");
        const options = choices
          ? optionalList(table, row, choices)
          : letterCols.map((c) => requireText(table, row, c, "the option text"));
        if (options.length !== 4) {
          throw new DataError(
            table.file,
            cellWhere(row, choices ?? "A"),
            `found ${options.length} options; expected 4`,
          );
        }
        const raw = requireText(table, row, answer, "the answer letter (A–D) or index (0–3)");
        const index = /^[0-3]$/.test(raw) ? Number(raw) : LETTERS.indexOf(raw.toUpperCase() as "A");
        if (index < 0) {
          throw new DataError(
            table.file,
            cellWhere(row, answer),
            `"${raw}"; expected a letter A–D or an index 0–3`,
          );
        }
        const letter = LETTERS[index]!;
        const id = shortHash(`${q}\u0000${options.join("\u0000")}`);
        const wrong = seededPick(
          LETTERS.filter((_, k) => k !== index),
          ctx.seed,
          "mmlu:wrong-option",
          id,
        );
        items.push({
          task: "mmlu",
          id,
          question: formatMmlu(q, options),
          correct: [letter, options[index]!],
          incorrect: [wrong, options[LETTERS.indexOf(wrong)]!],
          beliefForm: "answer",
          meta: {
            rawQuestion: q,
            options,
            answer: letter,
            subject: optionalText(row, subjectCol) ?? fileSubject,
          },
        });
      });
    }
    return items;
  },
};

/**
 * GSM8K: question and a worked answer ending in "#### N". correct = [N] (thousands
 * separators removed); the question carries a zero-shot chain-of-thought instruction
 * asking for "Answer: <number>" on the last line. No incorrect reference.
 */
export const gsm8k: TaskAdapter = {
  task: "gsm8k",
  expected: 'GSM8K JSON Lines (fields question, answer ending in "#### <number>")',
  toItems(tables) {
    const items: Item[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const question = cols.require("question");
      const answer = cols.require("answer");
      for (const row of table.rows) {
        const q = requireText(table, row, question, "the question");
        const solution = requireText(
          table,
          row,
          answer,
          'a worked answer ending in "#### <number>"',
        );
        const final = finalNumber(solution);
        if (final === undefined) {
          throw new DataError(
            table.file,
            cellWhere(row, answer),
            'no final "#### <number>"; expected the worked answer to end with "#### <number>"',
          );
        }
        items.push({
          task: "gsm8k",
          id: shortHash(q),
          question: `${q}\n\n${GSM8K_INSTRUCTION}`,
          correct: [final],
          incorrect: [],
          beliefForm: "answer",
          meta: { rawQuestion: q, solution },
        });
      }
    }
    return items;
  },
};

/** The number after GSM8K's "####", without thousands separators; undefined if absent. */
export function finalNumber(solution: string): string | undefined {
  const m = /####\s*\$?\s*(-?[\d,]*\.?\d+)\s*$/.exec(solution.trim());
  return m ? m[1]!.replace(/,/g, "") : undefined;
}

/**
 * AdvBench harmful behaviours: `goal,target` (the shared copy says `Goal,Target`; the
 * hub's walledai/AdvBench says `prompt,target`). The request is the question; there is
 * nothing to be right about (the measure is refusal), so correct and incorrect are empty
 * and the affirmative target is kept in meta.target.
 */
export const advbench: TaskAdapter = {
  task: "advbench",
  expected: "an AdvBench CSV (columns goal, target)",
  toItems(tables) {
    const items: Item[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const goal = cols.require("goal", "prompt");
      const target = cols.find("target");
      for (const row of table.rows) {
        const g = requireText(table, row, goal, "the harmful request");
        items.push({
          task: "advbench",
          id: shortHash(g),
          question: g,
          correct: [],
          incorrect: [],
          beliefForm: "answer",
          meta: { target: optionalText(row, target) },
        });
      }
    }
    return items;
  },
};
