/** What `candor view` asks for and gets back: filters, list pages, facets, trial details. */

import type { BeliefLabel, ChatMessage, ContextLabel, JudgmentLabel, TaskName } from "../types.js";
import type { PipelineStepsView } from "./pipeline-steps.js";
import type { PressureTurnView } from "./pressure-turns.js";

export const VERDICTS = [
  "CORRECT",
  "INCORRECT",
  "REFUSAL",
  "UNPARSEABLE",
  "ERROR",
  "EMPTY",
  "TRUNCATED",
  "none",
] as const;
export type VerdictFilter = (typeof VERDICTS)[number];

export interface TrialFilter {
  task?: string;
  context?: string;
  belief?: string;
  subject?: string;
  verdict?: VerdictFilter;
  /** Full-text search over response text (words; "quoted phrases"; a trailing * for prefixes). */
  q?: string;
}

export interface ListRow {
  key: number;
  id: string;
  subject: string;
  task: TaskName;
  itemId: string;
  context: ContextLabel;
  belief: BeliefLabel;
  sample: number;
  label: JudgmentLabel | null;
  snippet: string;
  length: number;
}

export interface ListPage {
  rows: ListRow[];
  /** Cursor of the next page (rows after the last one shown), or null at the end. */
  next: string | null;
  /** Cursor of the previous page, or null on the first page. */
  prev: string | null;
  /** Matching rows: exact, or a lower bound when counting stopped at COUNT_CAP or its time budget. */
  total: number;
  exact: boolean;
}

export interface Facets {
  subjects: string[];
  tasks: string[];
  contexts: string[];
  beliefs: string[];
  judges: string[];
  compare: { reference: string; treatment: string }[];
  hasSearch: boolean;
}

export interface TrialDetail {
  id: string;
  subject: string;
  model: string;
  task: TaskName;
  itemId: string;
  context: ContextLabel;
  statement: string | null;
  belief: BeliefLabel;
  sample: number;
  messages: ChatMessage[];
  /** Language of candor's texts in the prompt (the `lang` of the prompt and push-back). */
  language: string;
  question: string | null;
  correct: string[];
  incorrect: string[];
  response: string | null;
  finishReason: string | null;
  latencyMs: number | null;
  judgments: { judge: string; label: JudgmentLabel; rationale: string }[];
  metrics: { metric: string; scorer: string; value: number | null; label: string | null }[];
  challenges: {
    turn: number;
    challenge: string;
    text: string;
    verdicts: { judge: string; label: JudgmentLabel; rationale: string }[];
  }[];
  /** Push-backs of `pressure:`, turn by turn (absent in stores without them). */
  pressure?: PressureTurnView[];
  /** The answer-then-restyle subject's steps (absent for other subjects and older stores). */
  pipeline?: PipelineStepsView;
}
