/** `candor compare <runA> <runB>`: how each gap changed between two runs of one design. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { compareRunDirs } from "../../compare/run-compare.js";
import { renderCompareHtml } from "../../report/compare-html.js";
import { renderCompareMarkdown } from "../../report/compare-markdown.js";
import { formatComparison } from "../../report/compare-words.js";
import { resolveRun } from "../../report/run-path.js";

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("Compare the treatment − reference gaps of two runs of one design (B − A)")
    .argument("<runA>", "the earlier run directory")
    .argument("<runB>", "the later run directory")
    .option("--subject <id>", "treatment to follow: an id in both runs, or <id in A>=<id in B>")
    .option(
      "-o, --out <dir>",
      "where to write compare.html and compare.md (default: <runB>/compare)",
    )
    .option("--json", "print the comparison as JSON")
    .action(
      (runA: string, runB: string, opts: { subject?: string; out?: string; json?: boolean }) => {
        const cmp = compareRunDirs(
          runA,
          runB,
          opts.subject !== undefined ? { subject: opts.subject } : {},
        );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(cmp, null, 2)}\n`);
          return;
        }
        const out = opts.out ?? join(resolveRun(runB).dir, "compare");
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, "compare.html"), renderCompareHtml(cmp));
        writeFileSync(join(out, "compare.md"), renderCompareMarkdown(cmp));
        process.stdout.write(
          `${formatComparison(cmp)}\n\n${join(out, "compare.html")}\n${join(out, "compare.md")}\n`,
        );
      },
    );
}
