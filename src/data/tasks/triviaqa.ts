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
import { seededIndex } from "../hash.js";
import type { Row, Table } from "../table.js";
import type { TaskAdapter } from "./types.js";

/**
 * TriviaQA (rc.nocontext): JSONL or the hub parquet, fields question, question_id and
 * answer {value, aliases, normalized_aliases, normalized_value, …}.
 *
 * correct = [answer.value, ...answer.aliases] (deduplicated).
 *
 * TriviaQA has no incorrect answer, but the belief conditions need one. When a row has
 * its own (`incorrect_answer`, `incorrect_answers` or `incorrect` field — e.g. answers
 * generated offline, as the study did) that is used (meta.incorrectSource = "dataset").
 * Otherwise the distractor is another item's answer value, chosen deterministically:
 *   1. candidates = the other items whose answer value is not equal (case-insensitive,
 *      ignoring punctuation and leading articles) to any of this item's answer/aliases;
 *   2. prefer candidates of the same answer kind — the noun after "which/what" in the
 *      question ("which sea" → other "which sea" answers), else a coarse kind (year,
 *      number, person for "who" questions, other) — so the wrong answer is plausible;
 *   3. start at index seededIndex(#pool, seed, "triviaqa:distractor", id) of that pool (in
 *      file order) and take the first valid candidate.
 * meta.incorrectSource = "distractor:<other id>". The choice depends only on the seed,
 * this item and the file's contents, never on sampling or subject.
 */
export const triviaqa: TaskAdapter = {
  task: "triviaqa",
  expected: "TriviaQA JSON Lines (fields question, question_id, answer {value, aliases, …})",
  toItems(tables, ctx) {
    const parsed: Parsed[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const question = cols.require("question");
      const id = cols.require("question_id", "id");
      const answer = cols.require("answer");
      const own = cols.find("incorrect_answer", "incorrect_answers", "incorrect");
      for (const row of table.rows)
        parsed.push(parseRow(table, row, { question, id, answer, own }));
    }
    const kinds = groupByKind(parsed);
    return parsed.map((p): Item => {
      let incorrect = p.ownIncorrect;
      let incorrectSource = "dataset";
      if (incorrect.length === 0) {
        const d = chooseDistractor(p, parsed, kinds, ctx.seed);
        if (!d) {
          throw new DataError(
            p.file,
            p.where,
            "no other item has a different answer to use as the incorrect answer; expected at least two TriviaQA items with different answers",
          );
        }
        incorrect = [d.correct[0] ?? d.value];
        incorrectSource = `distractor:${d.id}`;
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
  kind: string;
  coarseKind: string;
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
    kind: answerKind(question, value),
    coarseKind: coarseKind(question, value),
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

const WH_SKIP = words(`
  is was are were do does did has had have the a an of in on to kind type name sort can
  could would will
`);

/** The noun after "which"/"what" ("which sea" → "noun:sea"), else the coarse kind. */
function answerKind(question: string, value: string): string {
  const m = /\b(?:which|what)\s+([a-z]+)/i.exec(question);
  const noun = m?.[1]?.toLowerCase();
  if (noun && !WH_SKIP.has(noun)) return `noun:${noun.replace(/s$/, "")}`;
  return coarseKind(question, value);
}

function coarseKind(question: string, value: string): string {
  if (/^\d{3,4}$/.test(value)) return "year";
  if (/^[\d.,\s]+$/.test(value)) return "number";
  if (/^\W*who(m|se)?\b/i.test(question) || /\bwho(m|se)?\b.*\?\W*$/i.test(question))
    return "person";
  return "other";
}

function groupByKind(items: readonly Parsed[]): Map<string, Parsed[]> {
  const groups = new Map<string, Parsed[]>();
  for (const p of items) {
    for (const k of [p.kind, `coarse:${p.coarseKind}`]) {
      const list = groups.get(k);
      if (list) list.push(p);
      else groups.set(k, [p]);
    }
  }
  return groups;
}

function chooseDistractor(
  p: Parsed,
  all: readonly Parsed[],
  kinds: Map<string, Parsed[]>,
  seed: number,
): Parsed | undefined {
  const valid = (o: Parsed) => o !== p && !p.keys.has(normalizeAnswer(o.value));
  const pools = [kinds.get(p.kind), kinds.get(`coarse:${p.coarseKind}`), all];
  for (const pool of pools) {
    if (!pool || pool.length < 2) continue;
    const start = seededIndex(pool.length, seed, "triviaqa:distractor", p.id);
    for (let k = 0; k < pool.length; k++) {
      const o = pool[(start + k) % pool.length]!;
      if (valid(o)) return o;
    }
  }
  return undefined;
}

/** A set of whitespace-separated words. */
function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ""));
}
