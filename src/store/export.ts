/**
 * `candor export`: per-response rows of a run for pandas/R users.
 *
 * - layout "tidy": one file, one row per response, one column per fact (the
 *   trial's design, the texts, the verdict of one judge, every metric).
 * - layout "study": the study's released per-response layout,
 *   `<reference>/<variant>/<task>_<variant>_outputs.<ext>` with their column
 *   names (see export-study.ts); `candor analyze` and the authors' scripts
 *   read it back.
 */

import { join } from "node:path";
import { codePointLength } from "../analysis/study-rules.js";
import { beliefGroup, contextGroup } from "../design/conditions.js";
import { CandorError } from "../errors.js";
import { runJudgeId } from "../judge/run-judge.js";
import type { BeliefLabel, ChatMessage, ContextLabel } from "../types.js";
import { exportStudyLayout } from "./export-study.js";
import type { ExportLayout, ExportOptions, ExportResult } from "./export-types.js";
import { type Cell, type Column, type ExportFormat, openRowWriter } from "./export-writers.js";
import { languageColumn } from "./language-sql.js";
import { readRunConfig } from "./run-config.js";
import { RunStore } from "./run-store.js";
import { asStorageError } from "./storage-errors.js";

export type { ExportLayout } from "./export-types.js";
export { EXPORT_FORMATS, type ExportFormat } from "./export-writers.js";
export const EXPORT_LAYOUTS: readonly ExportLayout[] = ["tidy", "study"];

export type { ExportOptions, ExportResult } from "./export-types.js";

/** Tidy columns, in order (metric columns follow). */
export const TIDY_COLUMNS: readonly Column[] = [
  { name: "run", type: "string" },
  { name: "trial_id", type: "string" },
  { name: "subject", type: "string" },
  { name: "model", type: "string" },
  { name: "persona", type: "string" },
  { name: "role", type: "string" },
  { name: "task", type: "string" },
  { name: "item_id", type: "string" },
  { name: "context", type: "string" },
  { name: "context_group", type: "string" },
  { name: "statement", type: "string" },
  { name: "belief", type: "string" },
  { name: "belief_group", type: "string" },
  { name: "sample", type: "int" },
  { name: "question", type: "string" },
  { name: "system_prompt", type: "string" },
  { name: "prompt", type: "string" },
  { name: "response", type: "string" },
  { name: "response_length", type: "int" },
  { name: "finish_reason", type: "string" },
  { name: "prompt_tokens", type: "int" },
  { name: "completion_tokens", type: "int" },
  { name: "latency_ms", type: "float" },
  { name: "served_model", type: "string" },
  { name: "responded_at", type: "string" },
  { name: "judge", type: "string" },
  { name: "label", type: "string" },
  { name: "is_incorrect", type: "int" },
  { name: "rationale", type: "string" },
  { name: "language", type: "string" },
];

export interface TidyRow {
  trial_id: string;
  subject_id: string;
  model: string;
  persona: string | null;
  task: string;
  item_id: string;
  context: ContextLabel;
  statement: string | null;
  belief: BeliefLabel;
  sample: number;
  question: string;
  messages_json: string;
  text: string;
  finish_reason: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number;
  served_model: string | null;
  created_at: string;
  label: string | null;
  rationale: string | null;
  language: string;
  [metric: `m${number}`]: number | null;
}

/** One row per response, in plan order, with the verdict of `judge` and each metric. */
function tidyQuery(store: RunStore, metricKeys: readonly { metric: string; scorer: string }[]) {
  const metricCols = metricKeys
    .map(
      (_k, i) =>
        `, (SELECT m.value FROM metrics m WHERE m.trial_id = t.id AND m.metric = @metric${i} AND m.scorer = @scorer${i}) AS m${i}`,
    )
    .join("");
  return store.db.prepare(
    `SELECT t.id AS trial_id, t.subject_id, s.model, s.persona, t.task, t.item_id, t.context, t.statement,
            t.belief, t.sample, i.question, t.messages_json, r.text,
            r.finish_reason, r.prompt_tokens, r.completion_tokens, r.latency_ms, r.served_model, r.created_at,
            j.label, j.rationale, ${languageColumn(store.db, "t")}${metricCols}
     FROM trials t
     JOIN responses r ON r.trial_id = t.id
     JOIN subjects s ON s.id = t.subject_id
     LEFT JOIN items i ON i.task = t.task AND i.id = t.item_id
     LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
     ORDER BY t.rowid`,
  );
}

export function metricKeys(store: RunStore): { metric: string; scorer: string }[] {
  return store.db
    .prepare("SELECT DISTINCT metric, scorer FROM metrics ORDER BY metric, scorer")
    .all() as { metric: string; scorer: string }[];
}

/** Column name per metric: the metric name, with `:scorer` when a metric has several scorers. */
export function metricColumnNames(keys: readonly { metric: string; scorer: string }[]): string[] {
  return keys.map((k) =>
    keys.filter((x) => x.metric === k.metric).length > 1 ? `${k.metric}:${k.scorer}` : k.metric,
  );
}

export function lastUserMessage(messagesJson: string): { system: string | null; prompt: string } {
  const messages = JSON.parse(messagesJson) as ChatMessage[];
  return {
    system: messages.find((m) => m.role === "system")?.content ?? null,
    prompt: messages.findLast((m) => m.role === "user")?.content ?? "",
  };
}

export function isIncorrect(label: string | null): 0 | 1 | null {
  return label === "INCORRECT" ? 1 : label === "CORRECT" ? 0 : null;
}

export async function exportRun(runFile: string, opts: ExportOptions): Promise<ExportResult> {
  const store = RunStore.open(runFile, { readonly: true });
  try {
    const config = readRunConfig(store);
    const judge = opts.judge ?? runJudgeId(config);
    if ((opts.layout ?? "tidy") === "study") {
      return await exportStudyLayout(store, config, judge, opts);
    }
    const keys = metricKeys(store);
    const columns: Column[] = [
      ...TIDY_COLUMNS,
      ...metricColumnNames(keys).map((name): Column => ({ name, type: "float" })),
    ];
    const clash = columns.find((c, i) => columns.findIndex((x) => x.name === c.name) !== i);
    if (clash) throw new CandorError(`metric '${clash.name}' clashes with a tidy column name`);
    const role = (subject: string) =>
      config.compare.some((c) => c.reference === subject)
        ? "reference"
        : config.compare.some((c) => c.treatments.includes(subject))
          ? "treatment"
          : null;
    const params: Record<string, string> = { judge };
    keys.forEach((k, i) => {
      params[`metric${i}`] = k.metric;
      params[`scorer${i}`] = k.scorer;
    });
    const writer = await openRowWriter(opts.out, opts.format, columns, opts).catch((err) => {
      throw asStorageError(err, opts.out, "could not write the export", "output");
    });
    let rows = 0;
    try {
      for (const r of tidyQuery(store, keys).iterate(params) as IterableIterator<TidyRow>) {
        const { system, prompt } = lastUserMessage(r.messages_json);
        const row: Cell[] = [
          config.name,
          r.trial_id,
          r.subject_id,
          r.model,
          r.persona,
          role(r.subject_id),
          r.task,
          r.item_id,
          r.context,
          contextGroup(r.context),
          r.statement,
          r.belief,
          beliefGroup(r.belief),
          r.sample,
          r.question,
          system,
          prompt,
          r.text,
          codePointLength(r.text),
          r.finish_reason,
          r.prompt_tokens,
          r.completion_tokens,
          r.latency_ms,
          r.served_model,
          r.created_at,
          judge,
          r.label,
          isIncorrect(r.label),
          r.rationale,
          r.language,
        ];
        for (let i = 0; i < keys.length; i++) row.push(r[`m${i}`] ?? null);
        await writer.write(row);
        rows++;
      }
      await writer.close();
    } catch (err) {
      // No half-written export left behind to be mistaken for a whole one.
      await writer.discard();
      throw asStorageError(err, opts.out, "could not write the export", "output");
    }
    return { files: [opts.out], rows, skipped: [] };
  } finally {
    store.close();
  }
}

/** Default output path: `<run>/export/responses.<ext>` or `<run>/export/study/`. */
export function defaultExportPath(
  runDir: string,
  format: ExportFormat,
  layout: ExportLayout,
): string {
  return layout === "study"
    ? join(runDir, "export", "study")
    : join(runDir, "export", `responses.${format}`);
}
