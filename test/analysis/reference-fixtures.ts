/** Loads the statsmodels reference values written by scripts/reference/fit_reference.py. */
import { z } from "zod";
import { readFixture } from "../helpers/fixtures.js";

export { repoRoot, sharedData } from "../helpers/paths.js";

const ame = z.object({ estimate: z.number(), se: z.number().nullable(), n: z.number() });
const fitted = z.object({
  formula: z.string(),
  nobs: z.number(),
  names: z.array(z.string()),
  params: z.array(z.number()),
  bse: z.array(z.number()),
  // null where statsmodels produced NaN (separated fits)
  bseCluster: z.array(z.number().nullable()),
  cov: z.array(z.array(z.number())),
  covCluster: z.array(z.array(z.number().nullable())),
  nClusters: z.number(),
  llf: z.number(),
  llnull: z.number(),
  deviance: z.number(),
  pearsonChi2: z.number(),
  pseudoR2CS: z.number(),
  dfModel: z.number(),
  dfResid: z.number(),
  iterations: z.number(),
  converged: z.boolean(),
  ame: z.record(z.string(), z.union([ame, z.record(z.string(), ame)])),
});
export type FittedReference = z.infer<typeof fitted>;
const model = z.union([fitted, z.object({ error: z.string() })]);
const checksum = z.object({
  n: z.number(),
  ones: z.number(),
  lengthSum: z.number(),
  hash: z.number(),
});

export const modelsFixture = z.object({
  checksum: checksum.optional(),
  rows: z.number().optional(),
  import: z
    .array(z.object({ file: z.string(), rows: z.number(), refusals: z.number(), kept: z.number() }))
    .optional(),
  models: z.record(z.string(), model),
});

export function loadFixture(name: string): z.infer<typeof modelsFixture> {
  return modelsFixture.parse(readFixture(`stats/${name}`));
}

export function fitted_(m: z.infer<typeof model> | undefined): FittedReference {
  if (!m || "error" in m)
    throw new Error(`reference model failed: ${m && "error" in m ? m.error : "missing"}`);
  return m;
}

export interface AmeRef {
  estimate: number;
  se: number | null;
  n: number;
}

/** Flattens the fixture's AMEs to [key, value] pairs ("is_finetuned" entries keyed by subset). */
export function flattenAmes(ame: FittedReference["ame"]): [string, AmeRef][] {
  const out: [string, AmeRef][] = [];
  for (const [key, value] of Object.entries(ame)) {
    if ("estimate" in value && typeof value.estimate === "number") out.push([key, value as AmeRef]);
    else for (const [sub, v] of Object.entries(value as Record<string, AmeRef>)) out.push([sub, v]);
  }
  return out;
}

/** Maps the fixture's AME keys to candor's effect labels. */
export function effectLabel(key: string): string {
  if (key === "all") return "fine-tuning (all rows)";
  if (key === "response_length+100") return "response length (+100 characters)";
  if (key.startsWith("dataset=")) return `dataset: ${key.slice(8)} vs disinfo`;
  return `fine-tuning | ${key}`;
}

export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}
