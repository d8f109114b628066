/**
 * Batch composition for several sequences of one llama.cpp context, so output rows never need
 * reordering.
 *
 * node-llama-cpp 3.21.1 decodes the queued tokens of all sequences in one llama.cpp batch and
 * then samples every sequence from its own worker thread. With per-sequence KV caches llama.cpp
 * splits a batch into micro-batches of equal tokens per sequence and consecutive sequence ids;
 * when that order differs from the batch order it reorders the output rows lazily, on the first
 * read — and concurrent first reads can hand a sequence another sequence's row (seen in
 * docs/warmth.md). A batch in which every sequence contributes the same number of tokens, in
 * ascending sequence id, comes out of the micro-batches in batch order: nothing to reorder.
 *
 * This strategy builds such batches: it takes either all generation steps (one token per
 * sequence) or all prompt chunks (each advancing by the shortest one's length), whichever group
 * is larger, in ascending sequence id; the others wait for the next batch of the same dispatch.
 */
import type {
  BatchItem,
  CustomBatchingPrioritizationStrategy,
  PrioritizedBatchItem,
} from "node-llama-cpp";

/** Sequence id of a queued item, or undefined when it cannot be told. */
export type SequenceIdOf = (item: BatchItem) => number | undefined;

export function lockstepStrategy(sequenceIdOf: SequenceIdOf): CustomBatchingPrioritizationStrategy {
  return ({ items, size }) => {
    const known = items.map((item) => ({ item, id: sequenceIdOf(item) }));
    const first = items[0];
    if (!first) return [];
    // Without ids the order cannot be guaranteed: one sequence per batch is always safe.
    if (known.some((k) => k.id === undefined)) {
      return [{ item: first, processAmount: Math.min(first.tokens.length, size) }];
    }
    // Generation steps (one token each) and prompt chunks (several) go in separate batches; the
    // larger group goes first. Prompts of different lengths advance by the same chunk together.
    const steps = known.filter((k) => k.item.tokens.length === 1);
    const prompts = known.filter((k) => k.item.tokens.length > 1);
    const group = steps.length > prompts.length ? steps : prompts;
    const take = group.slice(0, Math.max(1, Math.min(group.length, size)));
    const shortest = Math.min(...take.map((k) => k.item.tokens.length));
    const amount = Math.max(1, Math.min(shortest, Math.floor(size / take.length)));
    return take
      .sort((a, b) => (a.id as number) - (b.id as number))
      .map((k): PrioritizedBatchItem => ({ item: k.item, processAmount: amount }));
  };
}

interface QueuedDecodeView {
  tokens: unknown;
  sequenceId: unknown;
}

/**
 * Reads sequence ids from the context's queue (node-llama-cpp 3.21.1 keeps them in the private
 * `_queuedDecodes`; each batch item shares its `tokens` array). If a later version changes
 * that, every lookup is undefined and the strategy falls back to one sequence per batch.
 */
export function queuedSequenceIds(context: object): SequenceIdOf {
  return (item) => {
    const queue: unknown = Reflect.get(context, "_queuedDecodes");
    if (!Array.isArray(queue)) return undefined;
    for (const q of queue as QueuedDecodeView[]) {
      if (q && q.tokens === item.tokens && typeof q.sequenceId === "number") return q.sequenceId;
    }
    return undefined;
  };
}
