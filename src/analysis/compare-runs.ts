/**
 * Run-to-run comparison (`candor compare`): how each treatment − reference gap changed
 * between two runs of one design. Cells are matched by content across runs; the change is
 * the mean over matched cells of (treatment − reference in B) − (treatment − reference in
 * A), with a 95% CI clustered by item. Pure: the store reading is in store/compare-units.ts.
 */
import type { AuditConfig } from "../config/schema.js";
import { beliefGroup } from "../design/conditions.js";
import { CandorError } from "../errors.js";
import { clusteredMean } from "../stats/clustered-mean.js";
import type { CompareUnit } from "../store/compare-units.js";
import { type BeliefGroup, isReliabilityTask } from "../types.js";

export interface CompareSide {
  /** The run directory, as given. */
  run: string;
  reference: string;
  treatment: string;
  judge: string;
  createdAt: string | null;
  config: Pick<AuditConfig, "subjects" | "samples" | "contexts" | "beliefs">;
  units: readonly CompareUnit[];
}

export interface GapChange {
  /** A task, or "all" pooled over the reliability tasks. */
  task: string;
  /** A context, or "all" over the contexts. */
  context: string;
  beliefGroup: BeliefGroup;
  /** Treatment − reference gap in each run (pp) over its cells where both were scored. */
  gapA: number | null;
  gapB: number | null;
  pairsA: number;
  pairsB: number;
  /** Cells scored for all four answers (both subjects in both runs). */
  matched: number;
  /** Change of the gap, B − A, over matched cells (pp), and its item-clustered 95% CI. */
  changePp: number | null;
  ci95Pp: [number, number] | null;
}

export interface RunComparison {
  a: Omit<CompareSide, "units" | "config">;
  b: Omit<CompareSide, "units" | "config">;
  /** Cells present in both runs (scored or not). */
  sharedCells: number;
  /** How the two designs differ where they still overlap; empty when they are the same. */
  differences: string[];
  changes: GapChange[];
}

const scored = (u: CompareUnit) => u.reference !== null && u.treatment !== null;
const gapOf = (u: CompareUnit) => (u.treatment as number) - (u.reference as number);

function systemPrompt(config: CompareSide["config"], id: string): string {
  const s = config.subjects.find((x) => x.id === id);
  if (!s) return "?";
  return `${s.model}${s.system_prompt ? ` with a custom system prompt` : s.persona ? ` (persona ${s.persona})` : ""}`;
}

function setDiff(label: string, a: Iterable<string>, b: Iterable<string>): string[] {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = [...sa].filter((x) => !sb.has(x));
  const onlyB = [...sb].filter((x) => !sa.has(x));
  const out: string[] = [];
  if (onlyA.length > 0) out.push(`${label} only in run A: ${onlyA.join(", ")}`);
  if (onlyB.length > 0) out.push(`${label} only in run B: ${onlyB.join(", ")}`);
  return out;
}

/** What differs between the two designs, in words a user can act on. */
export function designDifferences(a: CompareSide, b: CompareSide): string[] {
  const out: string[] = [];
  out.push(
    ...setDiff(
      "tasks",
      a.units.map((u) => u.task),
      b.units.map((u) => u.task),
    ),
  );
  const items = (s: CompareSide) => new Set(s.units.map((u) => `${u.task}/${u.item}`));
  const [ia, ib] = [items(a), items(b)];
  const onlyA = [...ia].filter((x) => !ib.has(x)).length;
  const onlyB = [...ib].filter((x) => !ia.has(x)).length;
  if (onlyA + onlyB > 0) {
    out.push(`items: ${onlyA} only in run A, ${onlyB} only in run B (seed, n or dataset differ)`);
  }
  out.push(...setDiff("contexts", a.config.contexts, b.config.contexts));
  out.push(...setDiff("beliefs", a.config.beliefs, b.config.beliefs));
  if (a.config.samples !== b.config.samples) {
    out.push(`samples per trial: ${a.config.samples} in run A, ${b.config.samples} in run B`);
  }
  const refA = systemPrompt(a.config, a.reference);
  const refB = systemPrompt(b.config, b.reference);
  if (refA !== refB) out.push(`reference: ${refA} in run A, ${refB} in run B`);
  if (a.judge !== b.judge) out.push(`judge: ${a.judge} in run A, ${b.judge} in run B`);
  const keysB = new Set(b.units.map((u) => u.key));
  const keysA = new Set(a.units.map((u) => u.key));
  const cellsOnlyA = a.units.filter((u) => !keysB.has(u.key)).length;
  const cellsOnlyB = b.units.filter((u) => !keysA.has(u.key)).length;
  if (out.length === 0 && cellsOnlyA + cellsOnlyB > 0) {
    out.push(
      `prompts: ${cellsOnlyA} cells only in run A, ${cellsOnlyB} only in run B (statements or templates differ)`,
    );
  }
  return out;
}

interface Group {
  task: string;
  context: string;
  beliefGroup: BeliefGroup;
  a: CompareUnit[];
  b: CompareUnit[];
}

function groupsOf(a: readonly CompareUnit[], b: readonly CompareUnit[]): Group[] {
  const groups = new Map<string, Group>();
  const add = (side: "a" | "b", u: CompareUnit) => {
    const group = beliefGroup(u.belief);
    const tasks = isReliabilityTask(u.task) ? [u.task, "all"] : [u.task];
    for (const task of tasks) {
      for (const context of [u.context, "all"]) {
        const key = `${task}\u0000${context}\u0000${group}`;
        let g = groups.get(key);
        if (!g) {
          g = { task, context, beliefGroup: group, a: [], b: [] };
          groups.set(key, g);
        }
        g[side].push(u);
      }
    }
  };
  for (const u of a) add("a", u);
  for (const u of b) add("b", u);
  const order = (t: string) => (t === "all" ? 1 : 0);
  return [...groups.values()].sort(
    (x, y) =>
      order(x.task) - order(y.task) ||
      x.task.localeCompare(y.task) ||
      order(x.context) - order(y.context) ||
      x.context.localeCompare(y.context) ||
      x.beliefGroup.localeCompare(y.beliefGroup),
  );
}

function meanGap(units: readonly CompareUnit[]): { gap: number | null; pairs: number } {
  const s = units.filter(scored);
  if (s.length === 0) return { gap: null, pairs: 0 };
  return { gap: (s.reduce((acc, u) => acc + gapOf(u), 0) / s.length) * 100, pairs: s.length };
}

function change(g: Group): Pick<GapChange, "matched" | "changePp" | "ci95Pp"> {
  const inB = new Map(g.b.filter(scored).map((u) => [u.key, u]));
  const values: number[] = [];
  const clusters: string[] = [];
  for (const ua of g.a) {
    const ub = inB.get(ua.key);
    if (!ub || !scored(ua)) continue;
    values.push((gapOf(ub) - gapOf(ua)) * 100);
    clusters.push(`${ua.task}\u0000${ua.item}`);
  }
  if (values.length === 0) return { matched: 0, changePp: null, ci95Pp: null };
  const m = clusteredMean(values, clusters);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { matched: values.length, changePp: mean, ci95Pp: m ? m.ci : null };
}

/** The change of every gap from run A to run B; refuses designs that share no cell. */
export function compareRuns(a: CompareSide, b: CompareSide): RunComparison {
  const keysB = new Set(b.units.map((u) => u.key));
  const sharedCells = a.units.filter((u) => keysB.has(u.key)).length;
  const differences = designDifferences(a, b);
  if (sharedCells === 0) {
    throw new CandorError(
      `${a.run} and ${b.run} share no trials, so there is nothing to compare pairwise. ` +
        `What differs: ${differences.length > 0 ? differences.join("; ") : "every prompt (statements or templates)"}.`,
    );
  }
  const changes = groupsOf(a.units, b.units).map((g): GapChange => {
    const ga = meanGap(g.a);
    const gb = meanGap(g.b);
    return {
      task: g.task,
      context: g.context,
      beliefGroup: g.beliefGroup,
      gapA: ga.gap,
      gapB: gb.gap,
      pairsA: ga.pairs,
      pairsB: gb.pairs,
      ...change(g),
    };
  });
  const side = ({ units: _u, config: _c, ...rest }: CompareSide) => rest;
  return { a: side(a), b: side(b), sharedCells, differences, changes };
}
