/**
 * What the lead sentence costs on a large run: `summarizeStore` (counts, paired
 * tables, per-item counts for the item-clustered CIs, the headline, paired
 * control and cave-rate tests) against a baseline of the summary's SQL counts
 * alone (outcome counts and paired 2×2 tables), on the same store.
 *
 *   node --import tsx bench/viewer/generate.ts /tmp/big      # 504,000 trials
 *   node --import tsx bench/summary/headline.ts /tmp/big [--reps 3]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { summarizeStore } from "../../src/analysis/summary.js";
import { judgeId } from "../../src/judge/judge-response.js";
import { itemCounts } from "../../src/store/item-counts.js";
import { outcomeCounts, pairCounts } from "../../src/store/outcome-counts.js";
import { readRunConfig } from "../../src/store/run-config.js";
import { RunStore } from "../../src/store/run-store.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { reps: { type: "string", default: "3" } },
});
const dir = positionals[0];
if (!dir) throw new Error("usage: headline.ts <run-dir> [--reps 3]");
const reps = Number(values.reps);
const store = RunStore.open(join(dir, "run.sqlite"), { readonly: true });
const config = readRunConfig(store);
const judge = judgeId(config.judge.model);
const trials = store.db.prepare("SELECT count(*) FROM trials").pluck().get() as number;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const baseline = time(() => {
  outcomeCounts(store, judge);
  for (const c of config.compare)
    for (const t of c.treatments) pairCounts(store, judge, c.reference, t);
});
const items = time(() => itemCounts(store, judge));
let lead: string | null = null;
const full = time(() => {
  lead = summarizeStore(store, judge, config.compare).lead;
});
const rss = process.resourceUsage().maxRSS / 1024;
store.close();
const b = median(baseline);
const f = median(full);
process.stdout.write(
  `${trials.toLocaleString("en-US")} trials, median of ${reps}:\n` +
    `  baseline (outcome counts + paired tables): ${b.toFixed(0)} ms\n` +
    `  per-item counts alone:                     ${median(items).toFixed(0)} ms\n` +
    `  summarizeStore with headline and tests:    ${f.toFixed(0)} ms (${(f / b).toFixed(2)}× baseline)\n` +
    `  peak RSS ${rss.toFixed(0)} MB\n` +
    `  lead: ${lead}\n`,
);
