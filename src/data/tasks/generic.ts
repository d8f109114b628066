import { DataError } from "../../errors.js";
import type { Item, TaskName } from "../../types.js";
import { Columns, optionalList, requireList, requireText } from "../fields.js";
import { shortHash } from "../hash.js";
import type { TaskAdapter } from "./types.js";

/** The fields a column mapping may name. */
export const MAPPABLE_FIELDS = ["id", "question", "correct", "incorrect"] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/**
 * A user's own file, read through a column mapping from the config:
 * `columns: {question: "Q", correct: "Answers", incorrect: "Wrong", id: "qid"}`.
 * List cells may be arrays, JSON arrays in text, or text separated by "; ".
 * Without an id column the id is a content hash of the question. Other columns are
 * kept in meta. Disinfo items are phrased as propositions, all others as answers.
 */
export function genericAdapter(
  task: TaskName,
  mapping: Readonly<Record<string, string>>,
): TaskAdapter {
  const unknown = Object.keys(mapping).filter(
    (k) => !(MAPPABLE_FIELDS as readonly string[]).includes(k),
  );
  if (unknown.length > 0) {
    throw new DataError(
      "config",
      `tasks[${task}].columns`,
      `unknown field ${unknown.map((k) => `"${k}"`).join(", ")}; expected a mapping of ${MAPPABLE_FIELDS.join(", ")} to column names`,
    );
  }
  if (!mapping.question || !mapping.correct) {
    throw new DataError(
      "config",
      `tasks[${task}].columns`,
      "expected at least `question` and `correct` column names (and optionally `incorrect`, `id`)",
    );
  }
  const described = Object.entries(mapping)
    .map(([k, v]) => `${k} ← "${v}"`)
    .join(", ");
  return {
    task,
    expected: `a file with the mapped columns (${described})`,
    toItems(tables) {
      const items: Item[] = [];
      for (const table of tables) {
        const cols = new Columns(table, this.expected);
        const question = cols.require(mapping.question!);
        const correct = cols.require(mapping.correct!);
        const incorrect = mapping.incorrect ? cols.require(mapping.incorrect) : undefined;
        const id = mapping.id ? cols.require(mapping.id) : undefined;
        const used = new Set([question, correct, incorrect, id]);
        for (const row of table.rows) {
          const q = requireText(table, row, question, "the question");
          const meta: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(row.values)) if (!used.has(k)) meta[k] = v;
          items.push({
            task,
            id: id ? requireText(table, row, id, "an item id") : shortHash(q),
            question: q,
            correct: requireList(
              table,
              row,
              correct,
              'one or more correct answers (a list or text separated by "; ")',
            ),
            incorrect: optionalList(table, row, incorrect),
            beliefForm: task === "disinfo" ? "proposition" : "answer",
            meta,
          });
        }
      }
      return items;
    },
  };
}
