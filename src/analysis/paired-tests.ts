/**
 * Paired treatment − reference tests for what the headline does not cover:
 * the control tasks (capability and safety) and the "are you sure?" cave rate.
 * Each pair is one prompt answered by both subjects; the test is exact McNemar
 * on the discordant pairs, and the rate gap gets an item-clustered 95% CI.
 * Pure; the pairs come from store/paired-outcomes.ts.
 */
import { clusteredDifference } from "../stats/clustered.js";
import { mcnemarExact } from "../stats/mcnemar.js";
import type { PairedLabels } from "../store/paired-outcomes.js";
import { formatCiPp, formatPp } from "./headline.js";

export interface PairedTest {
  reference: string;
  treatment: string;
  /** A task, or "all" (cave rate over the challenged tasks). */
  task: string;
  /** What the rates count: "error rate", "unsafe response rate", "cave rate". */
  measure: string;
  pairs: number;
  items: number;
  referenceRate: number | null;
  treatmentRate: number | null;
  /** Treatment − reference, percentage points. */
  differencePp: number | null;
  ci95Pp: [number, number] | null;
  /** Wald p with the item-clustered SE. */
  pClustered: number | null;
  /** b: only the treatment had the event; c: only the reference. */
  b: number;
  c: number;
  mcnemarP: number | null;
}

/** Which labels count as the event and which pairs are scored, per measure. */
export interface Measure {
  name: string;
  event: (label: string) => boolean;
  scored: (label: string) => boolean;
}

const SCORED = (l: string) => l === "CORRECT" || l === "INCORRECT";

export const ERROR_RATE: Measure = {
  name: "error rate",
  event: (l) => l === "INCORRECT",
  scored: SCORED,
};
/** AdvBench: a refusal or a CORRECT verdict (declined or harmless) is safe. */
export const UNSAFE_RATE: Measure = {
  name: "unsafe response rate",
  event: (l) => l === "INCORRECT",
  scored: (l) => SCORED(l) || l === "REFUSAL",
};
/** After the push-back, of answers both subjects had right: INCORRECT now means it caved. */
export const CAVE_RATE: Measure = {
  name: "cave rate",
  event: (l) => l === "INCORRECT",
  scored: SCORED,
};

export function controlMeasure(task: string): Measure {
  return task === "advbench" ? UNSAFE_RATE : ERROR_RATE;
}

/** One paired test over `pairs` (already restricted to one comparison and task or pool). */
export function pairedTest(
  pairs: readonly PairedLabels[],
  measure: Measure,
  meta: { reference: string; treatment: string; task: string },
): PairedTest {
  const counts = { a: 0, b: 0, c: 0, d: 0 };
  const clusters = new Map<string, { n: number; r: number; t: number }>();
  for (const p of pairs) {
    if (!measure.scored(p.reference) || !measure.scored(p.treatment)) continue;
    const r = measure.event(p.reference);
    const t = measure.event(p.treatment);
    if (!r && !t) counts.a++;
    else if (!r && t) counts.b++;
    else if (r && !t) counts.c++;
    else counts.d++;
    const key = `${p.task}\u0000${p.item}`;
    const k = clusters.get(key) ?? { n: 0, r: 0, t: 0 };
    k.n++;
    k.r += r ? 1 : 0;
    k.t += t ? 1 : 0;
    clusters.set(key, k);
  }
  const n = counts.a + counts.b + counts.c + counts.d;
  const gap = clusteredDifference(
    [...clusters.values()].map((k) => ({
      referenceN: k.n,
      referenceErrors: k.r,
      treatmentN: k.n,
      treatmentErrors: k.t,
    })),
  );
  return {
    ...meta,
    measure: measure.name,
    pairs: n,
    items: clusters.size,
    referenceRate: n > 0 ? (counts.c + counts.d) / n : null,
    treatmentRate: n > 0 ? (counts.b + counts.d) / n : null,
    differencePp: gap.estimate === null ? null : gap.estimate * 100,
    ci95Pp:
      gap.ciLower !== null && gap.ciUpper !== null ? [gap.ciLower * 100, gap.ciUpper * 100] : null,
    pClustered: gap.p,
    b: counts.b,
    c: counts.c,
    mcnemarP: n > 0 ? mcnemarExact(counts).p : null,
  };
}

/** Per control task, one paired test per comparison. */
export function controlTests(
  pairs: readonly PairedLabels[],
  meta: { reference: string; treatment: string },
): PairedTest[] {
  const tasks = [...new Set(pairs.map((p) => p.task))].sort();
  return tasks.map((task) =>
    pairedTest(
      pairs.filter((p) => p.task === task),
      controlMeasure(task),
      { ...meta, task },
    ),
  );
}

/** Cave rate per challenged task and over all of them. */
export function caveTests(
  pairs: readonly PairedLabels[],
  meta: { reference: string; treatment: string },
): PairedTest[] {
  if (pairs.length === 0) return [];
  const tasks = [...new Set(pairs.map((p) => p.task))].sort();
  const out = tasks.map((task) =>
    pairedTest(
      pairs.filter((p) => p.task === task),
      CAVE_RATE,
      { ...meta, task },
    ),
  );
  out.push(pairedTest(pairs, CAVE_RATE, { ...meta, task: "all" }));
  return out;
}

export const PAIRED_TEST_HEADER = [
  "treatment",
  "reference",
  "task",
  "measure",
  "pairs",
  "reference",
  "treatment",
  "gap",
  "95% CI (item-clustered)",
  "p (clustered)",
  "b/c",
  "McNemar p",
] as const;

const rate = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
const bareP = (p: number | null) => (p === null ? "—" : p < 0.001 ? "< 0.001" : p.toFixed(3));

/** One row as text, the same in the terminal, report.html and report.md. */
export function pairedTestCells(t: PairedTest): string[] {
  return [
    t.treatment,
    t.reference,
    t.task,
    t.measure,
    String(t.pairs),
    rate(t.referenceRate),
    rate(t.treatmentRate),
    t.differencePp === null ? "—" : `${formatPp(t.differencePp)} pp`,
    t.ci95Pp === null ? "—" : formatCiPp(t.ci95Pp).replace("95% CI ", ""),
    bareP(t.pClustered),
    `${t.b}/${t.c}`,
    bareP(t.mcnemarP),
  ];
}

export const PAIRED_TEST_NOTE =
  "Paired on the same prompt answered by both subjects. b: only the treatment erred (or answered unsafely, or caved), c: only the reference. McNemar p: exact test on b and c; CI and p (clustered): Wald with an item-clustered SE. The cave rate pairs answers both subjects had right before the push-back.";
