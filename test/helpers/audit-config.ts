import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData, tempDir } from "./paths.js";

/** One `subjects[]` entry; `model` defaults to the config's `model`. */
export interface SubjectSpec {
  id: string;
  model?: string;
  persona?: "neutral" | "warm" | "cold" | "warm_honest";
  pipeline?: "answer_then_restyle";
}

export interface AuditYamlOptions {
  name: string;
  /** The subjects' model reference. */
  model: string;
  /** `tasks[]` entries as YAML flow maps (see `triviaqaTask`, `truthfulqaTask`). */
  tasks: readonly string[];
  /** The `judge` value as YAML, e.g. `{ model: rule }` (see `judgeOn`). */
  judge: string;
  seed?: number;
  /** Run directory; `null` leaves the field out. Default `run`. */
  output?: string | null;
  /** The `language` value as YAML, e.g. `[en, de]`. */
  language?: string;
  /** Default: `reference` and a warm persona `warm`. */
  subjects?: readonly SubjectSpec[];
  /** Compare the first subject with the others (default whenever there are several). */
  compare?: boolean;
  /** Default `[unmodified]`; `null` leaves the field out (all nine). */
  contexts?: readonly string[] | null;
  /** Left out (all four) unless given. */
  beliefs?: readonly string[];
  /** Default 3 attempts, 1–5 ms apart, so scripted failures retry at once. */
  retry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number } | null;
  /** More top-level YAML, appended as is. */
  extra?: string;
}

export const TRIVIAQA_FILE = join(sharedData, "triviaqa/test.jsonl");
export const TRUTHFULQA_FILE = join(sharedData, "truthfulqa/TruthfulQA.csv");
export const MEDQA_FILE = join(sharedData, "medqa/test.jsonl");

export const WARM_PAIR: readonly SubjectSpec[] = [
  { id: "reference" },
  { id: "warm", persona: "warm" },
];

/** A `tasks[]` entry of `n` items from `file`; `more` adds fields (`, judge: …`). */
export const taskOn = (task: string, file: string, n: number, more = "") =>
  `{ task: ${task}, path: "${file}", n: ${n}${more} }`;

export const triviaqaTask = (n: number, more = "") => taskOn("triviaqa", TRIVIAQA_FILE, n, more);
export const truthfulqaTask = (n: number, more = "") =>
  taskOn("truthfulqa", TRUTHFULQA_FILE, n, more);
export const medqaTask = (n: number, more = "") => taskOn("medqa", MEDQA_FILE, n, more);

/** A `judge` value naming one model; `more` adds fields (`, max_unparseable: 0.3`). */
export const judgeOn = (model: string, more = "") => `{ model: "${model}"${more} }`;

const flowList = (values: readonly string[]) => `[${values.join(", ")}]`;

function subjectLine(s: SubjectSpec, model: string): string {
  const fields = [`id: ${s.id}`, `model: "${s.model ?? model}"`];
  if (s.persona) fields.push(`persona: ${s.persona}`);
  if (s.pipeline) fields.push(`pipeline: ${s.pipeline}`);
  return `  - { ${fields.join(", ")} }`;
}

/** The text of an audit file in the shape most end-to-end tests use. */
export function auditYaml(o: AuditYamlOptions): string {
  const subjects = o.subjects ?? WARM_PAIR;
  const [reference, ...treatments] = subjects;
  const retry = o.retry === undefined ? { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } : o.retry;
  const contexts = o.contexts === undefined ? ["unmodified"] : o.contexts;
  const lines = [`name: ${o.name}`];
  if (o.seed !== undefined) lines.push(`seed: ${o.seed}`);
  if (o.output !== null) lines.push(`output: ${o.output ?? "run"}`);
  if (o.language !== undefined) lines.push(`language: ${o.language}`);
  lines.push("subjects:", ...subjects.map((s) => subjectLine(s, o.model)));
  if (reference && treatments.length > 0 && o.compare !== false) {
    lines.push(
      "compare:",
      `  - { reference: ${reference.id}, treatments: ${flowList(treatments.map((t) => t.id))} }`,
    );
  }
  lines.push("tasks:", ...o.tasks.map((t) => `  - ${t}`));
  if (contexts !== null) lines.push(`contexts: ${flowList(contexts)}`);
  if (o.beliefs) lines.push(`beliefs: ${flowList(o.beliefs)}`);
  lines.push(`judge: ${o.judge}`);
  if (retry) {
    lines.push(
      `retry: { max_attempts: ${retry.maxAttempts}, base_delay_ms: ${retry.baseDelayMs}, max_delay_ms: ${retry.maxDelayMs} }`,
    );
  }
  if (o.extra) lines.push(o.extra);
  return `${lines.join("\n")}\n`;
}

export interface WrittenAudit {
  dir: string;
  configFile: string;
  /** The run directory (`<dir>/run` unless `output` says otherwise). */
  runDir: string;
  yaml: string;
}

/** Writes `audit.yaml` into `dir` (default a fresh temp dir named by `prefix`). */
export function writeAuditYaml(
  o: AuditYamlOptions & { dir?: string; prefix?: string },
): WrittenAudit {
  const dir = o.dir ?? tempDir(o.prefix ?? "candor-audit-");
  const yaml = auditYaml(o);
  const configFile = join(dir, "audit.yaml");
  writeFileSync(configFile, yaml);
  return { dir, configFile, runDir: join(dir, o.output ?? "run"), yaml };
}
