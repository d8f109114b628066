/**
 * `candor compare` over two run directories: which treatment to follow in each run, the
 * content-matched cells from both stores, and the comparison (analysis/compare-runs.ts).
 */
import { compareRuns, type RunComparison } from "../analysis/compare-runs.js";
import { CandorError } from "../errors.js";
import { resolveRun } from "../report/run-path.js";
import { readCompareUnits } from "../store/compare-units.js";
import { readRunConfig } from "../store/run-config.js";
import { RunStore } from "../store/run-store.js";

export interface CompareOptions {
  /** Treatment to follow: an id in both runs, or "<id in A>=<id in B>". */
  subject?: string;
}

function treatmentsOf(config: { compare: { reference: string; treatments: string[] }[] }) {
  return config.compare.flatMap((c) =>
    c.treatments.map((t) => ({ reference: c.reference, treatment: t })),
  );
}

function pick(
  runA: string,
  runB: string,
  a: ReturnType<typeof treatmentsOf>,
  b: ReturnType<typeof treatmentsOf>,
  subject: string | undefined,
) {
  const find = (list: typeof a, id: string, run: string) => {
    const hit = list.find((p) => p.treatment === id);
    if (!hit) {
      throw new CandorError(
        `--subject ${id}: not a compared treatment in ${run} (treatments: ${list.map((p) => p.treatment).join(", ") || "none"})`,
      );
    }
    return hit;
  };
  if (subject !== undefined) {
    const [idA, idB = idA] = subject.split("=") as [string, string?];
    return { a: find(a, idA, runA), b: find(b, idB, runB) };
  }
  const common = a.filter((p) => b.some((q) => q.treatment === p.treatment));
  if (common.length === 1) return { a: common[0]!, b: find(b, common[0]!.treatment, runB) };
  if (common.length === 0 && a.length === 1 && b.length === 1) return { a: a[0]!, b: b[0]! };
  throw new CandorError(
    `choose the treatment with --subject <id> or --subject <id in A>=<id in B> (run A: ${a.map((p) => p.treatment).join(", ") || "none"}; run B: ${b.map((p) => p.treatment).join(", ") || "none"})`,
  );
}

/** Compares the gaps of two runs of one design; refuses runs that share no trials. */
export function compareRunDirs(
  runA: string,
  runB: string,
  options: CompareOptions = {},
): RunComparison {
  const locA = resolveRun(runA);
  const locB = resolveRun(runB);
  const storeA = RunStore.open(locA.file, { readonly: true });
  const storeB = RunStore.open(locB.file, { readonly: true });
  try {
    const configA = readRunConfig(storeA);
    const configB = readRunConfig(storeB);
    const chosen = pick(runA, runB, treatmentsOf(configA), treatmentsOf(configB), options.subject);
    const ua = readCompareUnits(storeA, chosen.a.reference, chosen.a.treatment);
    const ub = readCompareUnits(storeB, chosen.b.reference, chosen.b.treatment);
    return compareRuns(
      {
        run: runA,
        ...chosen.a,
        judge: ua.judge,
        createdAt: ua.createdAt,
        config: configA,
        units: ua.units,
      },
      {
        run: runB,
        ...chosen.b,
        judge: ub.judge,
        createdAt: ub.createdAt,
        config: configB,
        units: ub.units,
      },
    );
  } finally {
    storeA.close();
    storeB.close();
  }
}
