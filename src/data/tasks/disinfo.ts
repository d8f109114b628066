import { DataError } from "../../errors.js";
import type { Item } from "../../types.js";
import { Columns, cellWhere, dedupe, optionalText, requireText } from "../fields.js";
import { shortHash } from "../hash.js";
import type { TaskAdapter } from "./types.js";

/**
 * MASK `disinformation` split (CSV, or the hub parquet of `cais/MASK`, which has the
 * same columns but no task_id). Each row's proposition holds one
 * `<pivotal>a/b</pivotal>`; substituting each alternative gives two full propositions.
 * ground_truth is the one equal to the `ground_truth` column, ground_false the other.
 *
 * Question: the study asked `belief_elicit_1` without MASK's answer-format instruction
 * ("After thinking through your reasoning, please respond with yes or no, wrapped in
 * <final_answer> tags."): its released outputs' `prompt_disinfo` column is exactly that.
 *
 * correct = [ground_truth column] (what the study's templates used; the substituted
 * proposition is added when it differs), incorrect = [ground_false].
 * In two MASK rows the ground_truth text matches neither alternative exactly (typos in
 * the dataset); there the true alternative is the one whose proposition is most like
 * ground_truth (word Jaccard; `formatted_ground_truth` A/B breaks ties — it is wrong for
 * one of the two rows), ground_false swaps it for the other alternative inside the
 * ground_truth text, exactly as the study's released outputs show, and
 * meta.groundTruthMatch records the rule used.
 */
export const disinfo: TaskAdapter = {
  task: "disinfo",
  expected:
    "a MASK disinformation CSV (columns task_id, proposition with <pivotal>a/b</pivotal>, ground_truth, belief_elicit_1, …)",
  toItems(tables) {
    const items: Item[] = [];
    for (const table of tables) {
      const cols = new Columns(table, this.expected);
      const proposition = cols.require("proposition");
      const groundTruth = cols.require("ground_truth");
      const elicit = cols.require("belief_elicit_1");
      const taskId = cols.find("task_id", "id");
      const formatted = cols.find("formatted_ground_truth");
      const userPrompt = cols.find("user_prompt");
      const systemPrompt = cols.find("system_prompt");
      for (const row of table.rows) {
        const prop = requireText(
          table,
          row,
          proposition,
          "a proposition with <pivotal>a/b</pivotal>",
        );
        const truth = requireText(table, row, groundTruth, "the true proposition");
        const pivot = splitPivotal(prop);
        if (!pivot) {
          throw new DataError(
            table.file,
            cellWhere(row, proposition),
            `"${prop}" has no single <pivotal>a/b</pivotal>; expected exactly one pivotal with two alternatives separated by "/"`,
          );
        }
        const fgt = optionalText(row, formatted);
        const match = matchTruth(pivot.options, truth, fgt);
        const trueProp = pivot.options[match.index]!;
        const falseProp =
          match.rule === "exact" || match.rule === "normalized"
            ? pivot.options[1 - match.index]!
            : falseFromTruth(
                truth,
                pivot.alternatives[match.index]!,
                pivot.alternatives[1 - match.index]!,
                pivot.options[1 - match.index]!,
              );
        const q = stripElicitInstruction(requireText(table, row, elicit, "the yes/no question"));
        const user = optionalText(row, userPrompt);
        const id = optionalText(row, taskId) ?? shortHash(`${prop}\u0000${user ?? ""}`);
        items.push({
          task: "disinfo",
          id,
          question: q,
          correct: dedupe([truth, trueProp]),
          incorrect: [falseProp],
          beliefForm: "proposition",
          meta: {
            proposition: prop,
            groundTruth: truth,
            groundFalse: falseProp,
            pivotal: pivot.alternatives,
            groundTruthMatch: match.rule,
            beliefElicit1: optionalText(row, elicit),
            systemPrompt: optionalText(row, systemPrompt),
            userPrompt: user,
          },
        });
      }
    }
    return items;
  },
};

const PIVOTAL = /<pivotal>([\s\S]*?)<\/pivotal>/g;

/** The two full propositions of a `<pivotal>a/b</pivotal>` template, or undefined. */
export function splitPivotal(
  proposition: string,
): { options: [string, string]; alternatives: [string, string] } | undefined {
  const matches = [...proposition.matchAll(PIVOTAL)];
  if (matches.length !== 1) return undefined;
  const m = matches[0]!;
  const parts = m[1]!.split("/");
  if (parts.length !== 2) return undefined;
  const [a, b] = parts.map((s) => s.trim()) as [string, string];
  if (a === "" && b === "") return undefined;
  const fill = (alt: string) =>
    `${proposition.slice(0, m.index)}${alt}${proposition.slice(m.index! + m[0].length)}`
      .replace(/\s+/g, " ")
      .replace(/\s+([.,;:!?])/g, "$1")
      .trim();
  return { options: [fill(a), fill(b)], alternatives: [a, b] };
}

function norm(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function matchTruth(
  options: readonly [string, string],
  truth: string,
  formatted: string | undefined,
): { index: 0 | 1; rule: string } {
  for (const [rule, f] of [
    ["exact", (s: string) => s],
    ["normalized", norm],
  ] as const) {
    const hits = options.map((o) => f(o) === f(truth));
    if (hits[0] !== hits[1]) return { index: hits[0] ? 0 : 1, rule };
  }
  // A typo in ground_truth: the alternative whose words are most like it (Jaccard).
  const words = (s: string) => new Set(norm(s).split(" "));
  const t = words(truth);
  const jaccard = (o: string) => {
    const w = words(o);
    const shared = [...w].filter((x) => t.has(x)).length;
    return shared / (w.size + t.size - shared);
  };
  const [j0, j1] = [jaccard(options[0]), jaccard(options[1])];
  if (j0 !== j1) return { index: j0 > j1 ? 0 : 1, rule: "word-similarity" };
  const letter = formatted?.trim().toUpperCase();
  if (letter === "A" || letter === "B")
    return { index: letter === "A" ? 0 : 1, rule: "formatted_ground_truth" };
  return { index: 0, rule: "first" };
}

/**
 * ground_false when ground_truth is not literally one of the alternatives: swap the true
 * alternative for the false one inside ground_truth (as the study's released data does,
 * e.g. "Birds are not … drones drones." → "Birds are … drones drones."), else the
 * substituted proposition.
 */
function falseFromTruth(
  truth: string,
  trueAlt: string,
  falseAlt: string,
  fallback: string,
): string {
  if (trueAlt === "") return fallback;
  const escaped = trueAlt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(^|\\W)${escaped}(?=\\W|$)`);
  const m = re.exec(truth);
  if (!m) return fallback;
  const at = m.index + m[1]!.length;
  return `${truth.slice(0, at)}${falseAlt}${truth.slice(at + trueAlt.length)}`
    .replace(/\s+/g, " ")
    .trim();
}

/** belief_elicit_1 without MASK's "After thinking through your reasoning…" instruction. */
export function stripElicitInstruction(text: string): string {
  return text.replace(/\s*After thinking through your reasoning,[\s\S]*$/i, "").trim();
}
