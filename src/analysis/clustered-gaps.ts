/**
 * Item-clustered treatment − reference gaps from per-item counts: the 36
 * conditions of an item (18 per subject) share the question, so the item, not
 * the response, is the independent unit. Pure; counts come from store/item-counts.ts.
 */
import { beliefGroup } from "../design/conditions.js";
import {
  type ClusterCounts,
  type ClusteredDifference,
  clusteredDifference,
  intraclassCorrelation,
} from "../stats/clustered.js";
import type { ItemCount } from "../store/item-counts.js";
import { type BeliefGroup, isReliabilityTask } from "../types.js";

type Tally = { n: number; e: number };

/** Per-item tallies indexed by subject, then task × belief group, then item. */
export class ItemTallies {
  private readonly bySubject = new Map<string, Map<string, Map<string, Tally>>>();

  constructor(counts: readonly ItemCount[]) {
    for (const c of counts) {
      const group = beliefGroup(c.belief);
      const keys = [`${c.task}\u0000${group}`];
      // "all" pools the reliability tasks only, as the summary's cells do.
      if (isReliabilityTask(c.task)) keys.push(`all\u0000${group}`);
      let subject = this.bySubject.get(c.subject);
      if (!subject) {
        subject = new Map();
        this.bySubject.set(c.subject, subject);
      }
      for (const key of keys) {
        let items = subject.get(key);
        if (!items) {
          items = new Map();
          subject.set(key, items);
        }
        const item = `${c.task}\u0000${c.item}`;
        const t = items.get(item) ?? { n: 0, e: 0 };
        t.n += c.correct + c.incorrect;
        t.e += c.incorrect;
        items.set(item, t);
      }
    }
  }

  private items(subject: string, task: string, group: BeliefGroup): Map<string, Tally> {
    return this.bySubject.get(subject)?.get(`${task}\u0000${group}`) ?? new Map();
  }

  /** Treatment − reference error rate over the cell's responses, clustered by item. */
  gap(reference: string, treatment: string, task: string, group: BeliefGroup): ClusteredDifference {
    const ref = this.items(reference, task, group);
    const treat = this.items(treatment, task, group);
    const clusters: ClusterCounts[] = [];
    for (const key of new Set([...ref.keys(), ...treat.keys()])) {
      const r = ref.get(key);
      const t = treat.get(key);
      clusters.push({
        referenceN: r?.n ?? 0,
        referenceErrors: r?.e ?? 0,
        treatmentN: t?.n ?? 0,
        treatmentErrors: t?.e ?? 0,
      });
    }
    return clusteredDifference(clusters);
  }

  /**
   * Intra-item correlation of errors over the reliability tasks, one cluster per
   * subject × item (both belief groups), and the mean scored responses per
   * such cluster: what `candor power` needs for the design effect.
   */
  clustering(subjects: readonly string[]): { icc: number | null; responsesPerItem: number | null } {
    const clusters = new Map<string, { n: number; events: number }>();
    for (const subject of subjects) {
      for (const group of ["no_belief", "user_belief"] as const) {
        for (const [item, t] of this.items(subject, "all", group)) {
          const key = `${subject}\u0000${item}`;
          const c = clusters.get(key) ?? { n: 0, events: 0 };
          c.n += t.n;
          c.events += t.e;
          clusters.set(key, c);
        }
      }
    }
    const list = [...clusters.values()].filter((c) => c.n > 0);
    const total = list.reduce((s, c) => s + c.n, 0);
    return {
      icc: intraclassCorrelation(list),
      responsesPerItem: list.length > 0 ? total / list.length : null,
    };
  }
}
