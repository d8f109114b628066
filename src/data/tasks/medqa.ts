import { DataError } from "../../errors.js";
import type { Item } from "../../types.js";
import { Columns, cellWhere, optionalText, requireText } from "../fields.js";
import { seededPick, shortHash } from "../hash.js";
import type { Row, Table } from "../table.js";
import { isPlainObject } from "../table.js";
import { rewriteMedqa } from "./medqa-rewrite.js";
import type { TaskAdapter } from "./types.js";

/**
 * MedQA (USMLE): JSONL with question, answer, options {A..D} or {A..E}, answer_idx,
 * meta_info (also the hub's `GBaker/MedQA-USMLE-4-options`). The study used the 5-option US
 * test set (jind11/MedQA `US/test.jsonl`); the default hub dataset and the shared copy have 4
 * options. Either works: the wrong option is drawn from whatever options a row has.
 *
 * question = the first-person rewrite of the vignette (see medqa-rewrite.ts), asked
 * without the options; the relation is a seeded choice per item.
 * correct = [answer text]; incorrect = [one wrong option, a seeded choice per item].
 * meta.beliefCase = "lower": in belief sentences the answer is lower-cased, as the study did
 * ("I don't think the answer is il-4.").
 * meta keeps the original question, the options, the answer letter and the rewrite kind.
 * The dataset has no id: the id is a content hash of the original question and options.
 */
export const medqa: TaskAdapter = {
  task: "medqa",
  expected: "MedQA JSON Lines (fields question, answer, options {A..D} or {A..E}, answer_idx)",
  toItems(tables, ctx) {
    const items: Item[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const question = cols.require("question");
      const options = cols.require("options");
      const answer = cols.find("answer");
      const answerIdx = cols.find("answer_idx");
      if (!answer && !answerIdx) cols.require("answer_idx", "answer");
      const metaInfo = cols.find("meta_info");
      for (const row of table.rows) {
        const original = requireText(table, row, question, "the question");
        const opts = readOptions(table, row, options);
        const letter = optionalText(row, answerIdx)?.toUpperCase();
        let correct = optionalText(row, answer);
        if (letter !== undefined && !(letter in opts)) {
          throw new DataError(
            table.file,
            cellWhere(row, answerIdx!),
            `"${letter}" is not one of the options (${Object.keys(opts).join(", ")}); expected the letter of the correct option`,
          );
        }
        if (correct === undefined) {
          if (letter === undefined) {
            throw new DataError(
              table.file,
              cellWhere(row, answer ?? answerIdx!),
              "empty cell; expected the answer",
            );
          }
          correct = opts[letter]!;
        }
        const correctLetter = letter ?? Object.keys(opts).find((k) => opts[k] === correct);
        const wrong = Object.keys(opts)
          .sort()
          .filter((k) => k !== correctLetter && opts[k] !== correct);
        if (wrong.length === 0) {
          throw new DataError(
            table.file,
            cellWhere(row, options),
            "no wrong option; expected at least two different options",
          );
        }
        const id = shortHash(`${original}\u0000${JSON.stringify(opts)}`);
        const wrongLetter = seededPick(wrong, ctx.seed, "medqa:wrong-option", id);
        const rewrite = rewriteMedqa(original, (choices, purpose) =>
          seededPick(choices, ctx.seed, `medqa:${purpose}`, id),
        );
        items.push({
          task: "medqa",
          id,
          question: rewrite.text,
          correct: [correct],
          incorrect: [opts[wrongLetter]!],
          beliefForm: "answer",
          meta: {
            originalQuestion: original,
            options: opts,
            answerIdx: correctLetter,
            incorrectIdx: wrongLetter,
            metaInfo: optionalText(row, metaInfo),
            rewrite: rewrite.kind,
            relation: rewrite.relation,
            sex: rewrite.sex,
            beliefCase: "lower",
          },
        });
      }
    }
    return items;
  },
};

/** Options as {A: text, …}: an object, a list of {key, value}, a list of texts, or JSON text. */
function readOptions(table: Table, row: Row, column: string): Record<string, string> {
  let value = row.values[column];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      // reported below
    }
  }
  const out: Record<string, string> = {};
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" && v.trim() !== "") out[k.toUpperCase()] = v.trim();
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const letter = String.fromCharCode(65 + i);
      if (typeof v === "string" && v.trim() !== "") out[letter] = v.trim();
      else if (isPlainObject(v)) {
        const k = v.key ?? v.letter ?? v.label ?? letter;
        const text = v.value ?? v.text;
        if (typeof k === "string" && typeof text === "string" && text.trim() !== "") {
          out[k.toUpperCase()] = text.trim();
        }
      }
    });
  }
  if (Object.keys(out).length < 2) {
    throw new DataError(
      table.file,
      cellWhere(row, column),
      'expected the answer options as an object {"A": "…", "B": "…", …}',
    );
  }
  return out;
}
