import { DataError } from "../../errors.js";
import type { Item } from "../../types.js";
import {
  Columns,
  cellWhere,
  dedupe,
  optionalList,
  optionalObject,
  requireText,
} from "../fields.js";
import type { Row, Table } from "../table.js";
import { type AnswerType, answerTypes } from "./answer-type.js";
import { chooseDistractors } from "./distractor-choice.js";
import type { TaskAdapter } from "./types.js";

/**
 * TriviaQA (rc.nocontext): JSONL or the hub parquet, fields question, question_id and
 * answer {value, aliases, normalized_aliases, normalized_value, …}.
 *
 * correct = [answer.value, ...answer.aliases] (deduplicated).
 *
 * Rows repeating a `question_id` are dropped (the first is kept) before anything else: the
 * hub's rc.nocontext validation split repeats questions (it is rc.web + rc.wikipedia), and a
 * repeat sampled twice would be one question counted as two items. The count is reported.
 *
 * TriviaQA has no incorrect answer, but the belief conditions need one. When a row has
 * its own (`incorrect_answer`, `incorrect_answers` or `incorrect` field — e.g. answers
 * generated offline, as the study did) that is used (meta.incorrectSource = "dataset").
 * Otherwise (the offline fallback; a `distractors:` model replaces it with a generated one)
 * the distractor is another item's answer of the same answer type (answer-type.ts: person,
 * place, number, date, organisation, other), never equal (case-insensitive, ignoring
 * punctuation and leading articles) to any of this item's answers/aliases: the answer of the
 * item whose question is most similar (distractor-choice.ts: TF-IDF cosine over the
 * questions' words, plus the asked-for noun and the answers' last word, length and form),
 * least-used first, ties broken by the seed. Never one of another type: an item with no
 * candidate of its type gets no incorrect answer (the plan skips its `incorrect` condition
 * and says so). Items with their own wrong answers are candidates for others too.
 * meta.incorrectSource = "distractor:<other id>", meta.answerType = the type. The choice
 * depends only on the seed and the file's contents (rows in file order), never on sampling or
 * subject.
 */
export const triviaqa: TaskAdapter = {
  task: "triviaqa",
  expected: "TriviaQA JSON Lines (fields question, question_id, answer {value, aliases, …})",
  toItems(tables, ctx) {
    const all: Parsed[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const question = cols.require("question");
      const id = cols.require("question_id", "id");
      const answer = cols.require("answer");
      const own = cols.find("incorrect_answer", "incorrect_answers", "incorrect");
      for (const row of table.rows) all.push(parseRow(table, row, { question, id, answer, own }));
    }
    const parsed = dropRepeats(all);
    if (parsed.length < all.length) {
      ctx.warn?.(
        `triviaqa: dropped ${all.length - parsed.length} rows repeating a question_id (kept the first of each); ${parsed.length} distinct questions remain`,
      );
    }
    const types = answerTypes(parsed);
    parsed.forEach((p, i) => {
      p.type = types[i]!.type;
      p.noun = types[i]!.noun;
    });
    const chosen = chooseDistractors(
      parsed.map((p) => ({
        ...p,
        key: normalizeAnswer(p.value),
        wanted: p.ownIncorrect.length === 0,
      })),
      ctx.seed,
    );
    return parsed.map((p, i): Item => {
      let incorrect = p.ownIncorrect;
      let incorrectSource = "dataset";
      if (incorrect.length === 0) {
        const k = chosen[i];
        const d = k !== undefined ? parsed[k] : undefined;
        incorrect = d ? [d.correct[0] ?? d.value] : [];
        incorrectSource = d ? `distractor:${d.id}` : `none: no other ${p.type} answer`;
      }
      return {
        task: "triviaqa",
        id: p.id,
        question: p.question,
        correct: p.correct,
        incorrect,
        beliefForm: "answer",
        meta: {
          normalizedAliases: p.normalizedAliases,
          incorrectSource,
          answerType: p.type,
        },
      };
    });
  },
};

interface Parsed {
  file: string;
  where: string;
  id: string;
  question: string;
  value: string;
  correct: string[];
  normalizedAliases: string[];
  ownIncorrect: string[];
  /** Normalised forms of every correct answer, for "alias-equal" checks. */
  keys: Set<string>;
  type: AnswerType;
  noun: string | undefined;
}

function parseRow(
  table: Table,
  row: Row,
  c: { question: string; id: string; answer: string; own: string | undefined },
): Parsed {
  const question = requireText(table, row, c.question, "the question");
  const id = requireText(table, row, c.id, "the question id");
  const answer = optionalObject(table, row, c.answer);
  if (!answer) {
    throw new DataError(
      table.file,
      cellWhere(row, c.answer),
      "empty; expected an object {value, aliases, …}",
    );
  }
  const value = typeof answer.value === "string" ? answer.value.trim() : "";
  if (value === "") {
    throw new DataError(
      table.file,
      cellWhere(row, `${c.answer}.value`),
      "empty; expected the answer text",
    );
  }
  const sub: Row = { values: answer, where: row.where };
  const aliases = optionalList(table, sub, "aliases");
  const normalizedAliases = optionalList(table, sub, "normalized_aliases");
  // The first answer is the one spliced into prompts ("I don't think the answer is …"):
  // prefer a readable form over the ALL-CAPS values some TriviaQA sources use.
  const correct = dedupe([readable(value, aliases), value, ...aliases]);
  const keys = new Set([...correct, ...normalizedAliases].map(normalizeAnswer));
  const own = optionalList(table, row, c.own);
  return {
    file: table.file,
    where: row.where,
    id,
    question,
    value,
    correct,
    normalizedAliases,
    ownIncorrect: own,
    keys,
    type: "other",
    noun: undefined,
  };
}

/** An all-caps answer ("MAKEPEACE") as people write it: a mixed-case alias, else title case. */
function readable(value: string, aliases: readonly string[]): string {
  if (/[a-z]/.test(value) || !/[A-Z]{2}/.test(value)) return value;
  // Short all-caps answers are usually acronyms (WWII, NATO, USA): keep them.
  if (!/\s/.test(value) && value.replace(/[^A-Z]/g, "").length <= 4) return value;
  // Only an alias that spells the same answer (Wikipedia-style titles such as
  // "TSCA (disambiguation)" are aliases too, and would change the answer).
  const same = normalizeAnswer(value);
  const alias = aliases.find(
    (a) => /[a-z]/.test(a) && !a.includes("(") && normalizeAnswer(a) === same,
  );
  if (alias) return alias;
  return value.toLowerCase().replace(/\b\p{L}/gu, (ch) => ch.toUpperCase());
}

/** Lower-case, no punctuation, no leading article, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/^(the|a|an) /, "");
}

/** The first row of each question_id, in file order. */
function dropRepeats(rows: readonly Parsed[]): Parsed[] {
  const seen = new Set<string>();
  return rows.filter((p) => {
    if (seen.has(p.id)) return false;
    seen.add(p.id);
    return true;
  });
}
