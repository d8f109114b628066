/**
 * One `candor report` in its own process (so its peak RSS is its own), with
 * the phases timed: loading and analysing the store (collectReport) and
 * rendering/writing. Prints one JSON line.
 *
 *   node --import tsx bench/report/report-child.ts <run dir> <out dir>
 *
 */
import { writeReport } from "../../src/report/index.js";

const [run, out] = process.argv.slice(2);
if (!run || !out) throw new Error("usage: report-child.ts <run dir> <out dir>");
let peak = 0;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const t0 = performance.now();
const files = await writeReport(run, { outDir: out });
const t1 = performance.now();
clearInterval(timer);
process.stdout.write(
  `${JSON.stringify({
    seconds: (t1 - t0) / 1000,
    cpu: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    sampledPeakMb: peak / 1024 / 1024,
    headline: files.data.headline.available,
  })}\n`,
);
