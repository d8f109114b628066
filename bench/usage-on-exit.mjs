/**
 * Plain JavaScript, preloaded into a CLI child (`node --import <this> bin/candor.js …`): on exit, writes the
 * process's own peak RSS and CPU time to the file named by CANDOR_BENCH_USAGE, since Node
 * gives a parent no resource usage of its children.
 */
import { writeFileSync } from "node:fs";

const file = process.env.CANDOR_BENCH_USAGE;
if (file) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    const cpu = (u.userCPUTime + u.systemCPUTime) / 1e6;
    writeFileSync(file, JSON.stringify({ cpu, maxRssMb: u.maxRSS / 1024 }));
  });
}
