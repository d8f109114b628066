import type { BeliefGroup, BeliefLabel, Condition, ContextLabel, Item } from "../types.js";
import { seededIndex } from "./hash.js";
import { STUDY_STATEMENTS } from "./statements.js";

export type StatementBank = Readonly<Partial<Record<ContextLabel, readonly string[]>>>;

export function beliefGroup(belief: BeliefLabel): BeliefGroup {
  return belief === "incorrect" || belief === "correct" ? "user_belief" : "no_belief";
}

/** "emotion:sad" → "emotion"; the study's Model 2 groups contexts this way. */
export function contextGroup(
  context: ContextLabel,
): "unmodified" | "emotion" | "relation" | "stake" {
  if (context === "unmodified") return "unmodified";
  return context.slice(0, context.indexOf(":")) as "emotion" | "relation" | "stake";
}

/**
 * The statement an item gets under a context. Chosen from the seed, the task, the
 * item and the context only — so every subject (and every belief condition of the
 * item) sees the same statement, which keeps comparisons paired.
 */
export function statementFor(
  item: Pick<Item, "task" | "id">,
  context: ContextLabel,
  seed: number,
  bank: StatementBank = STUDY_STATEMENTS,
): string | undefined {
  if (context === "unmodified") return undefined;
  const options = bank[context];
  if (!options || options.length === 0) {
    throw new RangeError(`no statements for context ${context}`);
  }
  return options[seededIndex(options.length, seed, "statement", item.task, item.id, context)];
}

/** All conditions for one item: contexts × beliefs, in a stable order. */
export function conditionsFor(
  item: Pick<Item, "task" | "id">,
  contexts: readonly ContextLabel[],
  beliefs: readonly BeliefLabel[],
  seed: number,
  bank: StatementBank = STUDY_STATEMENTS,
): Condition[] {
  const out: Condition[] = [];
  for (const context of contexts) {
    const statement = statementFor(item, context, seed, bank);
    for (const belief of beliefs) {
      out.push(statement === undefined ? { context, belief } : { context, statement, belief });
    }
  }
  return out;
}
