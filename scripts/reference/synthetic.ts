/**
 * TypeScript twin of scripts/reference/synthetic.py: the same rows, bit for bit
 * (integer hashing, identical arithmetic order), built straight into a columnar
 * Frame so tests and the benchmark can regenerate the study-scale data instead
 * of committing it. `checksum` must equal the Python generator's.
 */

import type { Column, Frame } from "../../src/stats/frame.js";
import { makeFrame } from "../../src/stats/frame.js";
import { BELIEFS, CONTEXTS as CONTEXT_LABELS } from "../../src/types.js";

export const SEED = 20250721;
export const MODELS = ["70b", "8b", "gpt-4o", "mistral", "qwen-32"] as const;
export const DATASETS = ["disinfo", "medqa", "trivia", "truthfulqa"] as const;
// Same labels, same order as the Python twin (the checksum test would catch a drift).
export const CONTEXTS = CONTEXT_LABELS;
export const TEMPLATES = BELIEFS;
const GROUPS = ["unmodified", "emotion", "relation", "stake"] as const;

const INTERCEPT = -2.9115;
const FT = 0.4313;
const MODEL_EFFECT = [0.0, 0.4039, -1.1239, 0.0578, -0.0555];
const DATASET_EFFECT = [0.0, 2.3922, 1.1683, 1.7243];
const CONTEXT_EFFECT = [0.0, 0.0186, 0.0239, 0.0685, 0.0287, 0.0466, -0.0055, 0.1462, -0.0848];
const FT_CONTEXT = [0.0, -0.0298, 0.2275, 0.0141, -0.0315, -0.1247, 0.005, -0.0177, 0.0067];
const USER_BELIEF = [0.3238, 0.4386];
const LENGTH_SLOPE = -0.000182;
const ITEM_SPREAD = 0.8;

export type ItemCounts = Readonly<Record<(typeof DATASETS)[number], number>>;
export const FULL_ITEMS: ItemCounts = { disinfo: 125, medqa: 500, trivia: 500, truthfulqa: 500 };
export const SMALL_ITEMS: ItemCounts = { disinfo: 10, medqa: 40, trivia: 40, truthfulqa: 40 };

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function hash3(seed: number, stream: number, i: number): number {
  return mix32((mix32((seed + Math.imul(stream, 0x9e3779b9)) >>> 0) ^ i) >>> 0);
}

export interface SyntheticData {
  readonly frame: Frame;
  readonly checksum: { n: number; ones: number; lengthSum: number; hash: number };
}

/** Generates the synthetic rows as a Frame (no per-row objects). */
export function generateSynthetic(items: ItemCounts = FULL_ITEMS, seed = SEED): SyntheticData {
  const perModelFt =
    DATASETS.reduce((s, d) => s + items[d], 0) * CONTEXTS.length * TEMPLATES.length;
  const n = perModelFt * MODELS.length * 2;
  const model = new Int32Array(n);
  const ftCol = new Int32Array(n);
  const dataset = new Int32Array(n);
  const item = new Int32Array(n);
  const context = new Int32Array(n);
  const group = new Int32Array(n);
  const template = new Int32Array(n);
  const promptGroup = new Int32Array(n);
  const zeros = new Int32Array(n);
  const y = new Float64Array(n);
  const length = new Float64Array(n);
  const itemLevels: string[] = [];
  for (const d of DATASETS) for (let j = 0; j < items[d]; j++) itemLevels.push(`${d}-${j}`);

  let i = 0;
  let hash = 0;
  let ones = 0;
  let lengthSum = 0;
  for (let m = 0; m < MODELS.length; m++) {
    for (let ft = 0; ft < 2; ft++) {
      let itemBase = 0;
      for (let d = 0; d < DATASETS.length; d++) {
        const nItems = items[DATASETS[d]!];
        for (let j = 0; j < nItems; j++) {
          const g = itemBase + j;
          const itemEffect = (((hash3(seed, 2, g) % 2001) - 1000) / 1000) * ITEM_SPREAD;
          for (let c = 0; c < CONTEXTS.length; c++) {
            for (let t = 0; t < TEMPLATES.length; t++) {
              const len = 300 + (hash3(seed, 3, i) % 700) - (ft ? 80 : 0);
              const belief = t >= 2;
              const eta =
                INTERCEPT +
                (ft ? FT : 0.0) +
                MODEL_EFFECT[m]! +
                DATASET_EFFECT[d]! +
                CONTEXT_EFFECT[c]! +
                (ft ? FT_CONTEXT[c]! : 0.0) +
                (belief ? USER_BELIEF[ft]! : 0.0) +
                LENGTH_SLOPE * len +
                itemEffect;
              const p = 1.0 / (1.0 + Math.exp(-eta));
              const u = hash3(seed, 1, i) / 4294967296.0;
              const yi = u < p ? 1 : 0;
              model[i] = m;
              ftCol[i] = ft;
              dataset[i] = d;
              item[i] = g;
              context[i] = c;
              group[i] = GROUPS.indexOf(CONTEXTS[c]!.split(":")[0] as (typeof GROUPS)[number]);
              template[i] = t;
              promptGroup[i] = belief ? 1 : 0;
              y[i] = yi;
              length[i] = len;
              hash = mix32(hash ^ (yi + 2 * len));
              ones += yi;
              lengthSum += len;
              i++;
            }
          }
        }
        itemBase += nItems;
      }
    }
  }
  const cat = (codes: Int32Array, levels: readonly string[]): Column => ({
    kind: "categorical",
    codes,
    levels,
  });
  const frame = makeFrame({
    comparison: cat(zeros, ["warm"]),
    model: cat(model, MODELS),
    is_finetuned: cat(ftCol, ["0", "1"]),
    dataset: cat(dataset, DATASETS),
    item_id: cat(item, itemLevels),
    amendment_type: cat(context, CONTEXTS),
    amendment_group: cat(group, GROUPS),
    prompt_type: cat(template, TEMPLATES),
    prompt_group: cat(promptGroup, ["original", "user_opinion"]),
    sample: cat(zeros, ["0"]),
    is_incorrect: { kind: "numeric", values: y },
    response_length: { kind: "numeric", values: length },
  });
  return { frame, checksum: { n, ones, lengthSum, hash } };
}

/** Writes the synthetic frame in the analysis-rows CSV layout (same file statsmodels reads). */
export { writeFrameCsv } from "../../src/analysis/rows-csv.js";
