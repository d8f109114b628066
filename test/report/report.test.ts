/**
 * `candor report` on a real run (runAudit against the fake server, hostile
 * outputs everywhere): every number the report shows is checked against the
 * store and the analysis functions, every section exists, sections without
 * data say so, and no untrusted text reaches the HTML or Markdown as markup.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import { auditConfigSchema } from "../../src/config/schema.js";
import { collectReport } from "../../src/report/collect.js";
import { writeReport } from "../../src/report/index.js";
import { summarizeRun } from "../../src/stages/audit.js";
import { allRows, selectRows } from "../../src/stats/frame.js";
import { wilsonInterval } from "../../src/stats/wilson.js";
import { loadAnalysisRows } from "../../src/store/analysis-rows.js";
import { RunStore } from "../../src/store/run-store.js";
import { tempDir } from "../helpers/paths.js";
import { runCommand } from "./cli-inprocess.js";
import { HOSTILE } from "./hostile.js";
import { addExtras, buildRun, type FixtureRun, HOSTILE_ITEMS } from "./run-fixture.js";

let run: FixtureRun;
let bare: FixtureRun;

beforeAll(async () => {
  run = await buildRun({ hostile: true, n: HOSTILE_ITEMS });
  // The same run before other stages added metrics, challenges and human labels.
  const bareDir = tempDir("candor-report-bare-");
  mkdirSync(join(bareDir, "run"));
  copyFileSync(run.dbFile, join(bareDir, "run", "run.sqlite"));
  bare = {
    ...run,
    dir: bareDir,
    runDir: join(bareDir, "run"),
    dbFile: join(bareDir, "run", "run.sqlite"),
  };
  addExtras(run, { hostile: true });
});

const SECTIONS = [
  "headline",
  "rates",
  "contexts",
  "sycophancy",
  "warmth",
  "controls",
  "flips",
  "judge",
  "pressure",
  "trajectory",
  "worst",
];

describe("report content against the store", () => {
  it("headline gaps are the study's Model 1 per task and overall, with observed rates from the store", () => {
    const data = collectReport(run.runDir, { worst: 100 });
    expect(data.headline.available).toBe(true);
    if (!data.headline.available) return;
    const frame = rowsToFrame(loadAnalysisRows(run.runDir, { judge: run.judge }));
    const cmp = selectRows(frame, allRows(frame.n), "comparison", ["warm"]);
    const db = new Database(run.dbFile, { readonly: true });
    for (const task of ["triviaqa", "truthfulqa", "all"]) {
      const row = data.headline.data.find((r) => r.task === task)!;
      expect(row, task).toBeDefined();
      const rows = task === "all" ? cmp : selectRows(frame, cmp, "dataset", [task]);
      const m = fitStudyModel(frame, "model1", { rows });
      const ame = m.marginalEffects.find((e) => e.label === "fine-tuning (all rows)")!;
      expect(row.estimate).toBeCloseTo(ame.estimate! * 100, 10);
      expect(row.ciLower).toBeCloseTo(ame.ciLower! * 100, 10);
      expect(row.p).toBeCloseTo(ame.p!, 12);
      expect(row.n).toBe(ame.n);
      // Observed error rates straight from SQL.
      const rate = (subject: string) => {
        const r = db
          .prepare(
            `SELECT sum(j.label = 'INCORRECT') AS e, count(*) AS n FROM trials t
             JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
             WHERE t.subject_id = ? AND t.context = 'unmodified' AND t.belief IN ('original', 'original_neutral')
               AND j.label IN ('CORRECT', 'INCORRECT') AND (? = 'all' OR t.task = ?) AND t.task IN ('triviaqa', 'truthfulqa')`,
          )
          .get(run.judge, subject, task, task) as { e: number; n: number };
        return r.e / r.n;
      };
      expect(row.referenceRate).toBeCloseTo(rate("reference"), 12);
      expect(row.treatmentRate).toBeCloseTo(rate("warm"), 12);
    }
    db.close();
  });

  it("error-rate bars are the run summary's cells with Wilson intervals", () => {
    const data = collectReport(run.runDir);
    const store = RunStore.open(run.dbFile, { readonly: true });
    const config = auditConfigSchema.parse(JSON.parse(store.getMeta("config")!));
    const summary = summarizeRun(store, config);
    store.close();
    if (!data.rates.available) throw new Error("rates missing");
    expect(data.rates.data.length).toBe(8); // 2 subjects × 2 tasks × 2 belief groups
    for (const r of data.rates.data) {
      const cell = summary.cells.find(
        (c) => c.subject === r.subject && c.task === r.task && c.beliefGroup === r.beliefGroup,
      )!;
      expect(r.n).toBe(cell.correct + cell.incorrect);
      expect(r.errorRate).toBe(cell.incorrect / r.n);
      expect(r.ciLower).toBe(wilsonInterval(cell.incorrect, r.n).lower);
    }
  });

  it("warmth means, flip counts, judge check and worst cases match the store", () => {
    const data = collectReport(run.runDir, { worst: 100 });
    const db = new Database(run.dbFile, { readonly: true });
    if (
      !data.warmth.available ||
      !data.flips.available ||
      !data.judgeCheck.available ||
      !data.worst.available
    )
      throw new Error("a section is missing");
    for (const w of data.warmth.data.rows) {
      const r = db
        .prepare(
          "SELECT avg(value) AS mean, count(*) AS n FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE metric = ? AND scorer = ? AND t.subject_id = ?",
        )
        .get(w.metric, w.scorer, w.subject) as { mean: number; n: number };
      expect(w.mean).toBeCloseTo(r.mean, 12);
      expect(w.n).toBe(r.n);
    }
    const diff = data.warmth.data.differences.find((d) => d.metric === "warmth.sociot.reference")!;
    expect(diff.estimate!).toBeGreaterThan(0.01);
    expect(diff.p!).toBeLessThan(0.001);
    expect(diff.warmer).toBe(true);
    // item × condition cells answered by both subjects: 2 tasks × n items × 3 contexts × 4 beliefs, + 4 GSM8K
    expect(diff.pairs).toBe(2 * HOSTILE_ITEMS * 3 * 4 + 4);

    for (const f of data.flips.data.rows) {
      const r = db
        .prepare(
          `SELECT count(*) AS n, sum(j.label = 'CORRECT') AS ic, sum(j.label = 'CORRECT' AND cj.label = 'INCORRECT') AS flip
           FROM challenge_judgments cj JOIN trials t ON t.id = cj.trial_id
           JOIN judgments j ON j.trial_id = cj.trial_id AND j.judge = cj.judge
           WHERE t.subject_id = ? AND (? = 'all' OR t.task = ?)`,
        )
        .get(f.subject, f.task, f.task) as { n: number; ic: number; flip: number };
      expect([f.challenged, f.correctBefore, f.correctToIncorrect]).toEqual([r.n, r.ic, r.flip]);
      expect(f.caveRate).toBe(r.ic > 0 ? r.flip / r.ic : null);
    }
    const recorded = JSON.parse(
      db.prepare("SELECT value FROM meta WHERE key = 'judge_check'").pluck().get() as string,
    );
    expect(data.judgeCheck.data.facts).toContainEqual({ key: "kappa", value: recorded.kappa });
    expect(data.judgeCheck.data.facts).toContainEqual({
      key: "agreement",
      value: recorded.agreement,
    });
    const confusion = data.judgeCheck.data.tables.find((t) => t.key.startsWith("confusion"))!;
    expect(confusion.rows).toEqual([
      { "": "CORRECT", CORRECT: recorded.confusion[0][0], INCORRECT: recorded.confusion[0][1] },
      { "": "INCORRECT", CORRECT: recorded.confusion[1][0], INCORRECT: recorded.confusion[1][1] },
    ]);
    expect(data.judgeCheck.data.tables.map((t) => t.key)).toContain("perClass");

    const discordant = db
      .prepare(
        `SELECT count(*) FROM trials tr JOIN trials tt ON tt.task = tr.task AND tt.item_id = tr.item_id
           AND tt.context = tr.context AND tt.belief = tr.belief AND tt.sample = tr.sample AND tt.subject_id = 'warm'
         JOIN judgments jr ON jr.trial_id = tr.id AND jr.judge = @j JOIN judgments jt ON jt.trial_id = tt.id AND jt.judge = @j
         WHERE tr.subject_id = 'reference' AND jr.label = 'CORRECT' AND jt.label = 'INCORRECT'`,
      )
      .pluck()
      .get({ j: run.judge }) as number;
    expect(data.worst.data.discordant["reference → warm"]).toBe(discordant);
    expect(data.worst.data.cases.length).toBe(Math.min(100, discordant));
    // Stated wrong beliefs come first.
    expect(data.worst.data.cases[0]!.belief).toBe("incorrect");
    const get = db.prepare(
      "SELECT t.*, r.text, j.label, j.rationale FROM trials t JOIN responses r ON r.trial_id = t.id JOIN judgments j ON j.trial_id = t.id AND j.judge = ? WHERE t.id = ?",
    );
    for (const c of data.worst.data.cases) {
      const ref = get.get(run.judge, c.reference.trialId) as Record<string, unknown>;
      const treat = get.get(run.judge, c.treatment.trialId) as Record<string, unknown>;
      expect([ref.label, treat.label]).toEqual(["CORRECT", "INCORRECT"]);
      expect([ref.subject_id, treat.subject_id]).toEqual(["reference", "warm"]);
      for (const k of ["task", "item_id", "context", "belief", "sample"])
        expect(ref[k]).toBe(treat[k]);
      expect(c.reference.response).toBe(ref.text);
      expect(c.treatment.rationale).toBe(treat.rationale);
    }
    db.close();
  });
});

describe("rendered report", () => {
  it("writes HTML, Markdown and figures; every section is present and nothing untrusted is markup", async () => {
    const trajectory = join(run.dir, "trajectory.json");
    writeFileSync(
      trajectory,
      JSON.stringify({
        job: "warm-ft <script>window.__xss=1</script>",
        scorer: "llama:gpt2.gguf",
        form: "reference",
        prompts: 3,
        points: [
          { label: "base", epoch: 0, model: "m0", n: 3, failed: 0, mean: 0.011, sem: 0.001 },
          { label: "epoch 2", epoch: 2, model: "m2", n: 3, failed: 0, mean: 0.028, sem: 0.002 },
        ],
        createdAt: "2026-01-01T00:00:00Z",
      }),
    );
    const out = await writeReport(run.runDir, {
      worst: 200,
      now: new Date("2026-01-01T00:00:00Z"),
      trajectory,
    });
    const page = readFileSync(out.html, "utf8");
    for (const id of SECTIONS) expect(page).toContain(`<section id="${id}">`);
    expect(page).not.toContain("data-na");
    expect(page).toContain("Warmth across fine-tuning checkpoints");
    // dataset provenance from the audit's record
    expect(out.data.run.datasets.length).toBeGreaterThan(0);
    expect(page).toContain(out.data.run.datasets[0]!.sha256);
    // the lead is the summary's pooled sentence; it says "more"/"fewer" only for a significant gap
    const lead = /<p class="lead" data-lead>([\s\S]*?)<\/p>/.exec(page)![1]!;
    expect(out.data.lead.available).toBe(true);
    const h = out.data.lead.available ? out.data.lead.data.headlines[0]! : undefined;
    expect(lead.replace(/&lt;/g, "<")).toBe(h!.sentence);
    const sig = h!.gaps.filter((g) => g.p !== null && g.p < 0.05 && g.differencePp !== 0);
    if (sig.length === 0) expect(lead).toContain("No significant difference in errors between");
    else {
      expect(lead).not.toMatch(/no significant difference/i);
      expect(lead).toContain(
        sig[0]!.differencePp! > 0 ? "erred more often than" : "erred less often than",
      );
    }
    expect(page).toContain("warm-ft &lt;script&gt;window.__xss=1&lt;/script&gt;");
    expect(page).toMatch(/<section id="trajectory">[\s\S]*?<svg/);
    expect(page).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/,
    );
    // Offline and script-free: no script element, no external reference, no event handler.
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/\s(src|href)="(?!#)/i);
    expect(page).not.toMatch(/<[^>]+\son[a-z]+=/i);
    expect(page).toContain("<svg");
    // Every hostile payload served to a response appears, escaped.
    const escaped = (s: string) =>
      s
        .replace(/[^\P{Cc}\t\n\r]/gu, "")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;")
        .replace(/`/g, "&#96;");
    let shown = 0;
    for (const p of new Set(run.served)) if (page.includes(escaped(p))) shown++;
    expect(shown).toBeGreaterThanOrEqual(50);
    expect(page).toContain("hostile &lt;script&gt;window.__xss=999&lt;/script&gt;");

    const md = readFileSync(out.markdown, "utf8");
    expect(md).toContain("## Headline: the error gap");
    expect(md).toContain("](figures/rates.svg)");
    // Outside code fences there is no raw tag, link or image built from untrusted text.
    let fence: string | null = null;
    for (const line of md.split("\n")) {
      const m = /^(`{3,})/.exec(line);
      if (fence === null && m) fence = m[1]!;
      else if (fence !== null && line === fence) fence = null;
      else if (fence === null) {
        expect(line).not.toMatch(/(^|[^\\])<[a-z!/]/i);
        expect(line.replace(/!\[[^\]]*\]\(figures\/[a-z]+\.svg\)/, "")).not.toMatch(
          /(^|[^\\])\]\(/,
        );
      }
    }
    expect(fence).toBeNull();
    expect(out.figures.map((f) => f.split("/").pop()).sort()).toEqual([
      "contexts.svg",
      "rates.svg",
      "sycophancy.svg",
      "trajectory.svg",
      "warmth.svg",
    ]);
  });

  it("sections whose data the run lacks say so instead of disappearing", async () => {
    const out = await writeReport(bare.runDir, { outDir: join(bare.dir, "r") });
    const page = readFileSync(out.html, "utf8");
    for (const id of SECTIONS) expect(page).toContain(`<section id="${id}">`);
    const na = [...page.matchAll(/<section id="([a-z]+)">(?:(?!<\/section>)[\s\S])*?data-na/g)].map(
      (m) => m[1],
    );
    expect(na.sort()).toEqual(["flips", "judge", "pressure", "trajectory", "warmth"]);
    expect(page).toContain("No data in this run: no warmth scores in this run");
    expect(page).toContain("not available: no human labels were supplied");
    const md = readFileSync(out.markdown, "utf8");
    expect(md).toMatch(/## Warmth manipulation check\n\n_No data in this run: no warmth scores/);
  });

  it("a run without comparisons still gets every section, each saying why it is empty", async () => {
    const dir = tempDir("candor-report-nocmp-");
    mkdirSync(join(dir, "run"));
    const file = join(dir, "run", "run.sqlite");
    copyFileSync(bare.dbFile, file);
    const db = new Database(file);
    const config = JSON.parse(
      db.prepare("SELECT value FROM meta WHERE key = 'config'").pluck().get() as string,
    );
    config.compare = [];
    config.tasks = config.tasks.filter((t: { task: string }) => t.task !== "gsm8k");
    db.prepare("UPDATE meta SET value = ? WHERE key = 'config'").run(JSON.stringify(config));
    db.close();
    const out = await writeReport(join(dir, "run"));
    const page = readFileSync(out.html, "utf8");
    expect(page).toContain("no &#96;compare:&#96; pairs");
    const na = [...page.matchAll(/<section id="([a-z]+)">(?:(?!<\/section>)[\s\S])*?data-na/g)].map(
      (m) => m[1],
    );
    expect(na.sort()).toEqual([
      "contexts",
      "controls",
      "flips",
      "headline",
      "judge",
      "pressure",
      "sycophancy",
      "trajectory",
      "warmth",
      "worst",
    ]);
  });

  it("the CLI writes the report and names the files", async () => {
    const outDir = join(bare.dir, "cli-report");
    const res = await runCommand("report", bare.runDir, "--out", outDir, "--worst", "3");
    expect(res.stdout.trim().split("\n")).toEqual([
      join(outDir, "report.html"),
      join(outDir, "report.md"),
    ]);
    expect(res.stderr).toContain(
      "no data in this run for: warmth check, flip rates, judge agreement",
    );
    expect(
      readFileSync(join(outDir, "report.html"), "utf8").match(/<article class="case"/g),
    ).toHaveLength(3);
    await expect(runCommand("report", bare.runDir, "--worst", "-1")).rejects.toThrow(
      /--worst must be/,
    );
    await expect(runCommand("report", bare.dir)).rejects.toThrow(/not a candor run directory/);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(50);
  });
});
