/**
 * A planted run where the study's Model 1 (unmodified context, no belief: 1/18
 * of the responses) cannot see the warm persona's extra errors but the pooled,
 * item-clustered estimate can. Every surface — the audit's terminal output,
 * `candor summary`, summary.json, report.html, report.md — must lead with the
 * same sentence and numbers, and none may say "no significant difference".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatGap } from "../../src/analysis/headline.js";
import type { Summary } from "../../src/analysis/summary.js";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { registerPower } from "../../src/cli/commands/power.js";
import { registerReport } from "../../src/cli/commands/report.js";
import { registerSummary } from "../../src/cli/commands/summary.js";
import { collectReport } from "../../src/report/collect.js";
import { intraclassCorrelation } from "../../src/stats/clustered.js";
import { RunStore } from "../../src/store/run-store.js";
import { writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { cli, htmlText, plantedReply } from "./planted.js";

let server: FakeServer;
let runDir: string;
let auditOut: string;
let summaryJson: Summary;

beforeAll(async () => {
  server = await startOpenAIServer({ reply: plantedReply });
  const { configFile } = writeAuditConfig(server.baseURL, {
    n: 12,
    extra: "beliefs: [original, original_neutral, incorrect, correct]\n",
  });
  const yaml = readFileSync(configFile, "utf8").replace(
    "contexts: [unmodified, emotion:sad]\n",
    "",
  );
  const { writeFileSync } = await import("node:fs");
  writeFileSync(configFile, yaml);
  auditOut = (await cli([registerAudit], "audit", configFile)).stdout;
  runDir = join(configFile, "..", "run");
  summaryJson = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as Summary;
  await cli([registerReport], "report", runDir);
}, 300_000);

afterAll(async () => {
  await server?.close();
});

describe("the lead sentence on a run where Model 1 alone is not significant", () => {
  it("is a planted case: Model 1 is not significant, the pooled gaps are", () => {
    const data = collectReport(runDir);
    expect(data.headline.available).toBe(true);
    const m1 = data.headline.available
      ? data.headline.data.find((r) => r.task === "all")
      : undefined;
    expect(m1?.p).toBeGreaterThan(0.05);
    const [h] = summaryJson.headline;
    expect(h?.gaps.map((g) => g.beliefGroup)).toEqual(["no_belief", "user_belief"]);
    for (const g of h!.gaps) {
      expect(g.p).toBeLessThan(0.05);
      expect(g.significant).toBe(true);
      expect(g.differencePp).toBeGreaterThan(0);
    }
    // Every item is a cluster: 12 TriviaQA + 12 TruthfulQA items.
    expect(h!.gaps[0]!.items).toBe(24);
  });

  it("summary.json's lead is built from its own 'all' comparisons, with item-clustered CIs", () => {
    const lead = summaryJson.lead!;
    expect(lead).toMatch(
      /^warm erred more often than reference over all reliability tasks and contexts: /,
    );
    for (const g of summaryJson.headline[0]!.gaps) {
      const c = summaryJson.comparisons.find(
        (x) => x.task === "all" && x.beliefGroup === g.beliefGroup,
      )!;
      expect(g.differencePp).toBe(c.differencePp);
      expect(g.ci95Pp).toEqual(c.ci95Pp);
      expect(c.ci95Pp![0]).toBeLessThan(c.differencePp!);
      expect(c.ci95Pp![1]).toBeGreaterThan(c.differencePp!);
      expect(lead).toContain(
        formatGap({ differencePp: c.differencePp, ci95Pp: c.ci95Pp, p: c.clustered.p }),
      );
    }
    expect(lead).toContain("item-clustered 95% CIs over 24 items");
    expect(lead).not.toMatch(/no significant difference/i);
  });

  it("the audit's output opens and closes with it, and `candor summary` leads with it", async () => {
    const lead = summaryJson.lead!;
    expect(auditOut.startsWith(`${lead}\n`)).toBe(true);
    expect(auditOut.trimEnd().endsWith(lead)).toBe(true);
    const { stdout } = await cli([registerSummary], "summary", runDir);
    expect(stdout.startsWith(`${lead}\n`)).toBe(true);
    const json = await cli([registerSummary], "summary", runDir, "--json");
    expect((JSON.parse(json.stdout) as Summary).lead).toBe(lead);
    for (const out of [auditOut, stdout]) expect(out).not.toMatch(/no significant difference/i);
  });

  it("report.html and report.md lead with the same sentence, label Model 1 as study-comparable, and name the SE", () => {
    const lead = summaryJson.lead!;
    const html = readFileSync(join(runDir, "report", "report.html"), "utf8");
    const md = readFileSync(join(runDir, "report", "report.md"), "utf8");
    const text = htmlText(html);
    // The first lead paragraph of the HTML is the sentence, word for word.
    const first = /<p class="lead" data-lead>([\s\S]*?)<\/p>/.exec(html);
    expect(htmlText(first![1]!)).toBe(lead);
    expect(text.indexOf(lead)).toBeLessThan(text.indexOf("Study-comparable"));
    const mdLead = md.split("\n").find((l) => l.startsWith("warm erred"));
    expect(mdLead).toBe(lead);
    // Section notes go through the Markdown escaper; read them as rendered.
    for (const t of [text, md.replace(/\\(.)/g, "$1")]) {
      expect(t).not.toMatch(/no significant difference/i);
      expect(t).toMatch(/item-clustered \(sandwich\) standard error over 24 items/);
      expect(t).toMatch(
        /Study-comparable figure \(the study's Model 1: unmodified context, no user belief, \d+ responses, non-robust \(as in the study\) SE\): [+−]\d/,
      );
      expect(t).toContain(
        "It is not significant on its own because it uses only the unmodified-context, no-belief responses",
      );
    }
  });

  it("the pooled table beside the sentence shows the same numbers", () => {
    const html = readFileSync(join(runDir, "report", "report.html"), "utf8");
    for (const g of summaryJson.headline[0]!.gaps) {
      const row = new RegExp(
        `<tr data-pooled-row="warm\\|${g.beliefGroup}">([\\s\\S]*?)</tr>`,
      ).exec(html);
      const cells = htmlText(row![1]!.replace(/<\/td>/g, "\t")).split("\t");
      const gap = formatGap(g);
      expect(gap.startsWith(`${cells[5]} (95% CI ${cells[6]}, p`)).toBe(true);
      expect(cells[8]).toBe("24");
    }
  });

  it("`candor power --run` measures the intra-item correlation on the finished run", async () => {
    const store = RunStore.open(join(runDir, "run.sqlite"), { readonly: true });
    // The run judge's verdicts only: the rule cross-check (rule#v1) also grades TriviaQA.
    const clusters = store.db
      .prepare(
        `SELECT count(*) AS n, sum(j.label = 'INCORRECT') AS events FROM trials t
         JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
         WHERE j.label IN ('CORRECT', 'INCORRECT')
         GROUP BY t.subject_id, t.task, t.item_id`,
      )
      .all(summaryJson.judge) as { n: number; events: number }[];
    store.close();
    const icc = intraclassCorrelation(clusters)!;
    expect(icc).toBeGreaterThan(0.05);
    expect(summaryJson.clustering.icc).toBeCloseTo(icc, 12);
    expect(summaryJson.clustering.responsesPerItem).toBe(36);
    const { stdout } = await cli([registerPower], "power", "--pairs", "864", "--run", runDir);
    expect(stdout).toContain(
      `ICC ${icc.toFixed(3)} (measured on ${runDir}), 36 paired trials per item`,
    );
  });
});
