/**
 * Raw error-rate differences (treatment − reference) per comparison × model ×
 * belief group, with a seeded paired cluster bootstrap interval: items are
 * resampled whole (both subjects, all conditions), which respects the pairing
 * and the within-item correlation that a binomial interval would ignore.
 * Model-free companion to the GLM AMEs.
 */
import { pairedClusterBootstrap } from "../stats/bootstrap.js";
import {
  allRows,
  type Frame,
  getCategorical,
  getNumeric,
  presentLevels,
  selectRows,
} from "../stats/frame.js";
import type { StatsWarning } from "../stats/warnings.js";
import type { BeliefGroupName } from "./cell-table.js";
import { itemClusters } from "./fit-data.js";

export interface DifferenceRow {
  readonly comparison: string;
  readonly model: string;
  readonly beliefGroup: BeliefGroupName;
  readonly referenceErrorRate: number;
  readonly treatmentErrorRate: number;
  /** Percentage points, with a percentile bootstrap interval and SE. */
  readonly differencePp: number;
  readonly sePp: number;
  readonly ciLowerPp: number;
  readonly ciUpperPp: number;
  readonly items: number;
  readonly replicates: number;
  readonly seed: number;
  readonly warnings: readonly StatsWarning[];
}

export function errorRateDifferences(
  frame: Frame,
  opts: { replicates?: number; seed?: number; level?: number; rows?: Int32Array } = {},
): DifferenceRow[] {
  const base = opts.rows ?? allRows(frame.n);
  const y = getNumeric(frame, "is_incorrect").values;
  const ft = getCategorical(frame, "is_finetuned");
  const out: DifferenceRow[] = [];
  const groups: [BeliefGroupName, string][] = [
    ["no_belief", "original"],
    ["user_belief", "user_opinion"],
  ];
  for (const comparison of presentLevels(getCategorical(frame, "comparison"), base).sort()) {
    const cRows = selectRows(frame, base, "comparison", [comparison]);
    for (const model of presentLevels(getCategorical(frame, "model"), cRows).sort()) {
      const mRows = selectRows(frame, cRows, "model", [model]);
      for (const [name, level] of groups) {
        const rows = selectRows(frame, mRows, "prompt_group", [level]);
        if (rows.length === 0) continue;
        const treated = new Uint8Array(rows.length);
        const incorrect = new Uint8Array(rows.length);
        let n1 = 0;
        let e0 = 0;
        let e1 = 0;
        for (let k = 0; k < rows.length; k++) {
          const r = rows[k]!;
          treated[k] = ft.levels[ft.codes[r]!] === "1" ? 1 : 0;
          incorrect[k] = y[r]!;
          if (treated[k]) {
            n1++;
            e1 += y[r]!;
          } else e0 += y[r]!;
        }
        const n0 = rows.length - n1;
        if (n0 === 0 || n1 === 0) continue;
        const boot = pairedClusterBootstrap(itemClusters(frame, rows), treated, incorrect, {
          replicates: opts.replicates ?? 2000,
          seed: opts.seed ?? 20250721,
          level: opts.level ?? 0.95,
        });
        out.push({
          comparison,
          model,
          beliefGroup: name,
          referenceErrorRate: e0 / n0,
          treatmentErrorRate: e1 / n1,
          differencePp: boot.estimate * 100,
          sePp: boot.se * 100,
          ciLowerPp: boot.ciLower * 100,
          ciUpperPp: boot.ciUpper * 100,
          items: boot.nClusters,
          replicates: boot.replicates,
          seed: boot.seed,
          warnings: boot.warnings,
        });
      }
    }
  }
  return out;
}
