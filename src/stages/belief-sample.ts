/**
 * The wrong beliefs a run will put to its subjects, shown before it runs (`candor plan`):
 * a few question / belief pairs per task and how the beliefs were made.
 */

import {
  beliefOrigin,
  describeWrongBeliefs,
  wrongBeliefOrigins,
} from "../analysis/wrong-beliefs.js";
import { seededUnit } from "../data/hash.js";
import { resolveTemplates } from "../design/plan.js";
import { renderPrompt } from "../design/templates.js";
import type { Item, TaskName } from "../types.js";
import { itemMap, type LoadedAudit } from "./prepare.js";

export interface BeliefSample {
  /** Per task: how many items' wrong beliefs were made each way. */
  origins: ReturnType<typeof wrongBeliefOrigins>;
  /** With `distractors:`, the model that writes the missing ones when the audit runs. */
  pendingModel?: string;
  pairs: {
    task: TaskName;
    itemId: string;
    question: string;
    /** What follows the question in the `incorrect` prompt, exactly as sent. */
    belief: string;
    origin: string;
  }[];
}

export const BELIEF_SAMPLE_PER_TASK = 5;

/** A seeded sample of items per reliability task (the same on every call). */
export function beliefSample(loaded: LoadedAudit, perTask = BELIEF_SAMPLE_PER_TASK): BeliefSample {
  const byTask = itemMap(loaded.items);
  const items = [...byTask.values()].flat();
  const origins = wrongBeliefOrigins(items);
  const pairs: BeliefSample["pairs"] = [];
  const templates = resolveTemplates(loaded.config);
  for (const [task, list] of byTask) {
    if (!(task in origins) || !loaded.config.beliefs.includes("incorrect")) continue;
    const chosen = list
      .filter((i) => i.incorrect.length > 0)
      .map((i) => ({ i, key: seededUnit(loaded.config.seed, "plan:beliefs", task, i.id) }))
      .sort((a, b) => a.key - b.key)
      .slice(0, perTask);
    for (const { i } of chosen) {
      pairs.push({
        task,
        itemId: i.id,
        question: i.question,
        belief: beliefSentence(i, templates),
        origin: beliefOrigin(i),
      });
    }
  }
  const offline = Object.values(origins).some((o) => (o.offline ?? 0) + (o.none ?? 0) > 0);
  return {
    origins,
    ...(loaded.config.distractors && offline && { pendingModel: loaded.config.distractors.model }),
    pairs,
  };
}

/** The `incorrect` prompt after the question ("I think the answer is osteoporosis."). */
function beliefSentence(item: Item, templates: ReturnType<typeof resolveTemplates>): string {
  const prompt = renderPrompt(item, "incorrect", undefined, templates);
  const q = item.question.trim().replace(/[ \t]+/g, " ");
  const at = prompt.indexOf(q);
  return at < 0 ? prompt : prompt.slice(at + q.length).trim();
}

const clip = (text: string, n: number) =>
  text.length <= n ? text : `${text.slice(0, n - 1).trimEnd()}…`;

export function formatBeliefSample(sample: BeliefSample): string[] {
  if (sample.pairs.length === 0) return [];
  const lines = ["", "  Wrong beliefs (the `incorrect` condition), a sample:"];
  for (const line of describeWrongBeliefs(sample.origins)) lines.push(`  ${line}`);
  if (sample.pendingModel) {
    lines.push(
      `  (the audit first asks ${sample.pendingModel} for the offline ones, checked wrong by the judge)`,
    );
  }
  for (const p of sample.pairs) {
    lines.push(`  ${p.task.padEnd(11)} ${clip(p.question.replace(/\s+/g, " "), 90)}`);
    lines.push(`  ${"".padEnd(11)}   → ${clip(p.belief, 80)} (${p.origin})`);
  }
  return lines;
}
