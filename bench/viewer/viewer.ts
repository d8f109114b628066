/**
 * Viewer responsiveness on a large run: generates a 504,000-trial store (or
 * reuses one), then times the viewer's pages in-process (query + HTML) —
 * first pages, every filter, combined and rare filters, deep keyset
 * pagination, full-text search, trial detail and side-by-side views.
 *
 *   node --import tsx bench/viewer/viewer.ts [--dir /tmp/candor-viewer-bench] [--items 875] [--reps 5]
 *
 * Prints one line per scenario (median and max ms over reps) and a JSON summary.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createViewer } from "../../src/viewer/app.js";
import { upgradeForViewing } from "../../src/viewer/server.js";
import { generateRun } from "./generate.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "/tmp/candor-viewer-bench" },
    items: { type: "string", default: "875" },
    reps: { type: "string", default: "5" },
  },
});
const dir = values.dir!;
const file = join(dir, "run.sqlite");
if (!existsSync(file)) {
  process.stderr.write(`generating ${file} …\n`);
  const g = generateRun({ dir, items: Number(values.items), log: (s) => process.stderr.write(s) });
  process.stderr.write(`\n${g.trials} trials in ${g.seconds.toFixed(1)} s\n`);
}
upgradeForViewing(file);
const t0 = performance.now();
const viewer = createViewer(file);
viewer.queries.facets();
const startupMs = performance.now() - t0;
const reps = Number(values.reps);

async function get(path: string): Promise<{ ms: number; status: number; body: string }> {
  const t = performance.now();
  const res = await viewer.app.request(`http://127.0.0.1${path}`);
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}

const firstId = viewer.queries.list({}, viewer.queries.defaultJudge, undefined, 1).rows[0]!.id;
const deepCursor = (() => {
  // Walk 200 pages of 50 to get a cursor deep into the run (what "next" links produce).
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++)
    cursor = viewer.queries.list({}, viewer.queries.defaultJudge, cursor).next ?? cursor;
  return cursor!;
})();
const lastKey = viewer.queries.db.prepare("SELECT max(rowid) FROM trials").pluck().get() as number;

const scenarios: [string, string][] = [
  ["first page, no filter", "/"],
  ["filter task", "/?task=medqa"],
  ["filter context", "/?context=emotion:sad"],
  ["filter belief", "/?belief=incorrect"],
  ["filter subject", "/?subject=warm"],
  ["filter verdict INCORRECT", "/?verdict=INCORRECT"],
  ["filter verdict UNPARSEABLE (rare)", "/?verdict=UNPARSEABLE"],
  ["filter verdict ERROR (none)", "/?verdict=ERROR"],
  ["filter no verdict (all judged)", "/?verdict=none"],
  [
    "all five filters",
    "/?task=disinfo&context=stake:high&belief=correct&subject=cold&verdict=INCORRECT",
  ],
  [
    "4 filters + rare verdict",
    "/?task=disinfo&context=stake:high&belief=correct&subject=cold&verdict=UNPARSEABLE",
  ],
  ["page 201 (keyset cursor)", `/?cursor=${deepCursor}`],
  ["last page (cursor before end)", `/?cursor=b${lastKey + 1}`],
  ["search common word", "/?q=answer"],
  ["search two words", "/?q=capital%20river"],
  ["search phrase", "/?q=%22the%20answer%22"],
  ["search prefix", "/?q=medic*"],
  ["search absent word", "/?q=zyzzyva"],
  ["search + filters", "/?q=vaccine&task=medqa&subject=warm&verdict=INCORRECT"],
  ["trial detail", `/trial/${encodeURIComponent(firstId)}`],
  ["side by side", `/pair/${encodeURIComponent(firstId)}`],
  ["JSON API page", "/api/trials?context=emotion:sad&verdict=INCORRECT"],
];

const results: { scenario: string; medianMs: number; maxMs: number; rows: number }[] = [];
process.stdout.write(
  `viewer bench: ${file}\nstartup (open + facets): ${startupMs.toFixed(0)} ms\n`,
);
for (const [name, path] of scenarios) {
  const times: number[] = [];
  let rows = 0;
  for (let r = 0; r < reps; r++) {
    const res = await get(path);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    times.push(res.ms);
    rows = (res.body.match(/<tr data-trial=/g) ?? []).length;
  }
  times.sort((a, b) => a - b);
  const row = {
    scenario: name,
    medianMs: times[Math.floor(times.length / 2)]!,
    maxMs: times.at(-1)!,
    rows,
  };
  results.push(row);
  process.stdout.write(
    `${name.padEnd(36)} median ${row.medianMs.toFixed(1).padStart(7)} ms   max ${row.maxMs.toFixed(1).padStart(7)} ms   rows ${rows}\n`,
  );
}
const trials = viewer.queries.db.prepare("SELECT count(*) FROM trials").pluck().get();
viewer.close();
process.stdout.write(`${JSON.stringify({ trials, startupMs, results })}\n`);
