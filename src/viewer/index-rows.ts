/**
 * The runs under a folder and one index row per run × treatment: its headline gaps (pooled
 * over the reliability tasks, without and with a user belief, with their 95% CIs), warmth
 * and date. Read from each run's store, exactly as `candor summary` does.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { summarizeRun } from "../analysis/run-summary.js";
import { readRunConfig } from "../store/run-config.js";
import { RUN_DB } from "../store/run-files.js";
import { RunStore } from "../store/run-store.js";

export interface IndexRun {
  /** Position in the discovered list: the /runs/<n>/ prefix of its viewer. */
  index: number;
  dir: string;
  /** The directory relative to the folder given to `candor view`. */
  path: string;
}

export interface IndexRow {
  run: number;
  path: string;
  name: string;
  reference: string;
  treatment: string;
  /** Treatment − reference error gap in pp, pooled, and its 95% CI. */
  gapNoBelief: number | null;
  ciNoBelief: [number, number] | null;
  gapUserBelief: number | null;
  ciUserBelief: [number, number] | null;
  pairs: number;
  /** First warmth measure's treatment − reference mean difference, when measured. */
  warmthMetric: string | null;
  warmthDiff: number | null;
  warmer: boolean | null;
  createdAt: string | null;
  /** Why the run could not be read, when it could not. */
  error?: string;
}

const SKIP = new Set(["node_modules", ".git"]);

/** Run directories (holding run.sqlite) under `root`, up to `depth` levels down, sorted by path. */
export function findRuns(root: string, depth = 3): IndexRun[] {
  const found: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    if (entries.includes(RUN_DB) && statSync(join(dir, RUN_DB)).isFile()) {
      found.push(dir);
      return;
    }
    if (level >= depth) return;
    for (const e of entries.sort()) {
      if (SKIP.has(e) || e.startsWith(".")) continue;
      const p = join(dir, e);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p, level + 1);
    }
  };
  walk(root, 0);
  return found.map((dir, index) => ({ index, dir, path: relative(root, dir) || "." }));
}

export function indexRows(run: IndexRun): IndexRow[] {
  const blank = {
    run: run.index,
    path: run.path,
    gapNoBelief: null,
    ciNoBelief: null,
    gapUserBelief: null,
    ciUserBelief: null,
    pairs: 0,
    warmthMetric: null,
    warmthDiff: null,
    warmer: null,
  };
  let store: RunStore | undefined;
  try {
    store = RunStore.open(join(run.dir, RUN_DB), { readonly: true });
    const config = readRunConfig(store);
    const createdAt = store.getMeta("created_at") ?? null;
    const summary = summarizeRun(store, config);
    const rows: IndexRow[] = [];
    for (const c of config.compare) {
      for (const treatment of c.treatments) {
        const pooled = (group: string) =>
          summary.comparisons.find(
            (x) =>
              x.reference === c.reference &&
              x.treatment === treatment &&
              x.task === "all" &&
              x.beliefGroup === group,
          );
        const none = pooled("no_belief");
        const belief = pooled("user_belief");
        const warmth = summary.warmth?.comparisons.find(
          (w) => w.reference === c.reference && w.treatment === treatment,
        );
        rows.push({
          ...blank,
          name: config.name,
          reference: c.reference,
          treatment,
          gapNoBelief: none?.differencePp ?? null,
          ciNoBelief: none?.ci95Pp ?? null,
          gapUserBelief: belief?.differencePp ?? null,
          ciUserBelief: belief?.ci95Pp ?? null,
          pairs: (none?.paired.pairs ?? 0) + (belief?.paired.pairs ?? 0),
          warmthMetric: warmth?.metric ?? null,
          warmthDiff:
            warmth && warmth.treatmentMean !== null && warmth.referenceMean !== null
              ? warmth.treatmentMean - warmth.referenceMean
              : null,
          warmer: warmth ? warmth.warmer : null,
          createdAt,
        });
      }
    }
    return rows;
  } catch (err) {
    return [
      {
        ...blank,
        name: run.path,
        reference: "",
        treatment: "",
        createdAt: null,
        error: err instanceof Error ? err.message : String(err),
      },
    ];
  } finally {
    store?.close();
  }
}
