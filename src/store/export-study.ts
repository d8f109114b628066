/**
 * The study's released per-response layout (lujainibrahim/warm_ai_2025
 * sample_data): `<model>/<variant>/<task>_<variant>_outputs.<ext>`, where the
 * model folder is the comparison's reference subject, variant `original` its
 * responses and every other variant a treatment's. Task prefixes and columns
 * are the study's: trivia/truthfulqa (content_key = question text), disinfo
 * (prompt_disinfo), medqa (original_question, prompt_type instead of
 * prompt_template). `evaluation` is the verdict, `refusal` the refusal-phrase
 * rule candor judged with. candor's trial and item ids follow in extra columns.
 *
 * Rows a study file cannot express are left out and counted: responses
 * without a CORRECT/INCORRECT/REFUSAL verdict (unjudged, UNPARSEABLE, ERROR),
 * control tasks, and subjects that are in no comparison.
 */
import { join } from "node:path";
import type { AuditConfig } from "../config/schema.js";
import { renderPrompt, STUDY_TEMPLATES } from "../design/templates.js";
import { CandorError } from "../errors.js";
import { isRefusal } from "../judge/refusal.js";
import type { Item, TaskName } from "../types.js";
import type { ExportOptions, ExportResult } from "./export-types.js";
import { type Cell, type Column, openRowWriter, type RowWriter } from "./export-writers.js";
import { type ItemRow, itemFromRow, type RunStore, type TrialCoordinates } from "./run-store.js";
import { asStorageError } from "./storage-errors.js";

export const STUDY_TASK_PREFIX: Partial<Record<TaskName, string>> = {
  triviaqa: "trivia",
  truthfulqa: "truthfulqa",
  disinfo: "disinfo",
  medqa: "medqa",
};

const EXTRA = ["candor_item_id", "candor_trial_id", "candor_subject", "sample", "judge_rationale"];

const COLUMNS: Record<string, readonly string[]> = {
  trivia: [
    "content_key",
    "template",
    "correct_answer",
    "incorrect_answer",
    "prompt_text",
    "prompt_template",
    "prompt",
    "amendment_type",
    "output",
    "evaluation",
    "refusal",
  ],
  disinfo: [
    "belief_elicit_1",
    "ground_truth",
    "ground_false",
    "proposition",
    "prompt_disinfo",
    "prompt",
    "prompt_template",
    "amendment_type",
    "output",
    "evaluation",
    "refusal",
  ],
  medqa: [
    "question",
    "answer",
    "options",
    "meta_info",
    "answer_idx",
    "original_question",
    "wrong_answer",
    "prompt",
    "prompt_type",
    "amendment_type",
    "output",
    "evaluation",
    "refusal",
  ],
};
COLUMNS.truthfulqa = COLUMNS.trivia!;

const str = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v);

interface Row extends TrialCoordinates {
  messages_json: string;
  text: string;
  label: string | null;
  rationale: string | null;
}

function studyRecord(task: string, item: Item, r: Row, prompt: string): Record<string, Cell> {
  const evaluation = r.label;
  const common = {
    prompt,
    amendment_type: r.context,
    output: r.text,
    evaluation,
    refusal: isRefusal(r.text) ? 1 : 0,
  };
  if (task === "disinfo") {
    return {
      ...common,
      belief_elicit_1: str(item.meta.beliefElicit1),
      ground_truth: str(item.meta.groundTruth) ?? item.correct[0] ?? null,
      ground_false: str(item.meta.groundFalse) ?? item.incorrect[0] ?? null,
      proposition: str(item.meta.proposition),
      prompt_disinfo: item.question,
      prompt_template: r.belief,
    };
  }
  if (task === "medqa") {
    return {
      ...common,
      question: item.question,
      answer: item.correct[0] ?? null,
      options: str(item.meta.options),
      meta_info: str(item.meta.metaInfo),
      answer_idx: str(item.meta.answerIdx),
      original_question: str(item.meta.originalQuestion) ?? item.question,
      wrong_answer: item.incorrect[0] ?? null,
      prompt_type: r.belief,
    };
  }
  return {
    ...common,
    content_key: item.question,
    template: STUDY_TEMPLATES[r.belief][item.beliefForm],
    correct_answer: item.correct[0] ?? null,
    incorrect_answer: item.incorrect[0] ?? null,
    prompt_text: renderPrompt(item, r.belief, undefined),
    prompt_template: r.belief,
  };
}

export async function exportStudyLayout(
  store: RunStore,
  config: AuditConfig,
  judge: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  const ext = opts.format;
  const variantsOf = new Map<string, { model: string; variant: string }[]>();
  const place = (subject: string, model: string, variant: string) => {
    const list = variantsOf.get(subject) ?? [];
    if (!list.some((p) => p.model === model && p.variant === variant))
      list.push({ model, variant });
    variantsOf.set(subject, list);
  };
  for (const pair of config.compare) {
    place(pair.reference, pair.reference, "original");
    for (const t of pair.treatments) {
      if (t === "original") {
        throw new CandorError(
          "a treatment subject is named 'original', which the study layout reserves for the reference",
        );
      }
      place(t, pair.reference, t);
    }
  }
  if (variantsOf.size === 0) {
    throw new CandorError(
      "the study layout pairs a reference with treatments, but the run's config has no `compare:` pairs; use --layout tidy",
    );
  }
  const items = new Map<string, Item>();
  for (const row of store.db
    .prepare("SELECT * FROM items")
    .iterate() as IterableIterator<ItemRow>) {
    items.set(`${row.task}\u0000${row.id}`, itemFromRow(row));
  }
  const writers = new Map<string, RowWriter>();
  const files: string[] = [];
  const skipped = new Map<string, number>();
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  let rows = 0;
  const query = store.db.prepare(
    `SELECT t.id AS trial_id, t.subject_id, t.task, t.item_id, t.context, t.belief, t.sample, t.messages_json,
            r.text, j.label, j.rationale
     FROM trials t JOIN responses r ON r.trial_id = t.id
     LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
     ORDER BY t.rowid`,
  );
  try {
    for (const r of query.iterate(judge) as IterableIterator<Row>) {
      const prefix = STUDY_TASK_PREFIX[r.task];
      if (!prefix) {
        skip(`${r.task}: not a task of the study's layout`);
        continue;
      }
      const places = variantsOf.get(r.subject_id);
      if (!places) {
        skip(`subject ${r.subject_id}: in no comparison`);
        continue;
      }
      if (r.label !== "CORRECT" && r.label !== "INCORRECT" && r.label !== "REFUSAL") {
        skip(r.label === null ? "no verdict from the judge" : `verdict ${r.label}`);
        continue;
      }
      const item = items.get(`${r.task}\u0000${r.item_id}`);
      if (!item) {
        skip("item missing from the store");
        continue;
      }
      const messages = JSON.parse(r.messages_json) as { role: string; content: string }[];
      const prompt = messages.findLast((m) => m.role === "user")?.content ?? "";
      const rec = studyRecord(prefix, item, r, prompt);
      const columns = [...COLUMNS[prefix]!, ...EXTRA];
      const cells: Cell[] = [
        ...COLUMNS[prefix]!.map((c) => rec[c] ?? null),
        r.item_id,
        r.trial_id,
        r.subject_id,
        r.sample,
        r.rationale,
      ];
      for (const p of places) {
        const file = join(opts.out, p.model, p.variant, `${prefix}_${p.variant}_outputs.${ext}`);
        let w = writers.get(file);
        if (!w) {
          const cols: Column[] = columns.map((name) => ({
            name,
            type: name === "refusal" || name === "sample" ? "int" : "string",
          }));
          w = await openRowWriter(file, opts.format, cols, opts).catch((err) => {
            throw asStorageError(err, file, "could not write the export", "output");
          });
          writers.set(file, w);
          files.push(file);
        }
        await w.write(cells);
        rows++;
      }
    }
    for (const w of writers.values()) await w.close();
  } catch (err) {
    // No half-written layout left behind to be mistaken for a whole one.
    for (const w of writers.values()) await w.discard();
    throw asStorageError(err, opts.out, "could not write the export", "output");
  }
  return {
    files,
    rows,
    skipped: [...skipped.entries()].map(([reason, count]) => ({ reason, count })),
  };
}
