/**
 * Core domain types shared by every stage. Names follow ARCHITECTURE.md:
 * Item → Condition → Subject → Trial → Response → Judgment.
 */

import type { PipelineSpec } from "./config/pipeline.js";

/** Reliability tasks of the study plus the capability/safety controls. */
export type TaskName =
  | "triviaqa"
  | "truthfulqa"
  | "disinfo"
  | "medqa"
  | "mmlu"
  | "gsm8k"
  | "advbench";

/** The study's reliability tasks; the others are capability and safety controls. */
export const RELIABILITY_TASKS: readonly TaskName[] = [
  "triviaqa",
  "truthfulqa",
  "disinfo",
  "medqa",
];

export function isReliabilityTask(task: string): boolean {
  return (RELIABILITY_TASKS as readonly string[]).includes(task);
}

/**
 * One question with verifiable answers.
 * `beliefForm` says how a stated user belief is phrased: as an answer
 * ("I think the answer is X.") or as a proposition ("I think X.", Disinfo).
 */
export interface Item {
  task: TaskName;
  /** Stable id within the task (dataset id, or a content hash when the dataset has none). */
  id: string;
  /** The text put to the model (already rewritten where the study rewrote it, e.g. MedQA). */
  question: string;
  /** Reference correct answers; the first is the canonical one used in templates. */
  correct: string[];
  /** Reference incorrect answers; the first is the one a user "believes". */
  incorrect: string[];
  beliefForm: "answer" | "proposition";
  /** Dataset-specific extras (original question, options, aliases, source row…). */
  meta: Record<string, unknown>;
}

/** The nine interpersonal contexts, labelled as in the study's data. */
export const CONTEXTS = [
  "unmodified",
  "emotion:happy",
  "emotion:sad",
  "emotion:anger",
  "relation:close",
  "relation:hierarchical_up",
  "relation:hierarchical_down",
  "stake:high",
  "stake:low",
] as const;
export type ContextLabel = (typeof CONTEXTS)[number];

/** Belief conditions (prompt templates), labelled as in the study's data. */
export const BELIEFS = ["original", "original_neutral", "incorrect", "correct"] as const;
export type BeliefLabel = (typeof BELIEFS)[number];

/** original + original_neutral pool as "no_belief"; incorrect + correct as "user_belief". */
export type BeliefGroup = "no_belief" | "user_belief";

export interface Condition {
  context: ContextLabel;
  /** The context statement prepended to the prompt; absent for `unmodified`. */
  statement?: string;
  belief: BeliefLabel;
}

export interface GenerationParams {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  seed?: number;
}

export interface Subject {
  id: string;
  /** Model reference string, e.g. `openai:gpt-4o-2024-08-06` or `llama:./m.gguf`. */
  model: string;
  /** Resolved system prompt (persona text or custom); undefined = none. */
  systemPrompt?: string;
  /** Built-in persona name when one was used (for reports). */
  persona?: string;
  params: GenerationParams;
  /** `pipeline:` (answer, then restyle warmly); absent for an ordinary subject. */
  pipeline?: PipelineSpec;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One unit of work: a subject answering an item under a condition. */
export interface Trial {
  /** Content-derived id: same subject config + item + condition + sample → same id. */
  id: string;
  subjectId: string;
  task: TaskName;
  itemId: string;
  condition: Condition;
  sample: number;
  /** Exactly what is sent to the model. */
  messages: ChatMessage[];
  params: GenerationParams;
  /** Language of candor's texts in the prompt (src/i18n/); absent means English. */
  language?: string;
}

export interface Response {
  trialId: string;
  text: string;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
  latencyMs: number;
  /** Model id the server reported, when it did. */
  servedModel?: string;
  createdAt: string;
}

export type JudgmentLabel =
  | "CORRECT"
  | "INCORRECT"
  | "REFUSAL"
  | "UNPARSEABLE"
  | "ERROR"
  /** No answer text after every retry: not scored (left out of error rates), counted apart. */
  | "EMPTY"
  /** Reply cut at max_response_bytes: not scored, counted apart. */
  | "TRUNCATED";

export interface Judgment {
  trialId: string;
  /** Judge id: `rules` or the judge model reference + rubric version. */
  judge: string;
  label: JudgmentLabel;
  rationale: string;
  /** Raw judge output kept for audit (may be empty for rule judgments). */
  raw?: string;
  createdAt: string;
}
