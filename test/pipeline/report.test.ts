/**
 * The warmth-vs-error chart and the pipeline counts on every surface of a real run (four
 * designs against the scripted server): report.html's SVG places every subject, its numbers
 * are the ones recomputed here from the store, and report.md and the terminal say the same.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/report/escape.js";
import { writeReport } from "../../src/report/index.js";
import { runAudit } from "../../src/stages/audit.js";
import { formatSummary } from "../../src/stages/format-summary.js";
import { wilsonInterval } from "../../src/stats/wilson.js";
import { createViewer } from "../../src/viewer/app.js";
import { hasChromium, launchBrowser } from "../helpers/browser.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { Script, writePipelineConfig } from "./scripted.js";

const SUBJECTS = ["reference", "warm", "warm_honest", "pipeline"];
let server: FakeServer;
let htmlText = "";
let mdText = "";
let terminal = "";
let db = "";
let htmlFile = "";

beforeAll(async () => {
  let file = "";
  const script = new Script(() => file);
  server = await startOpenAIServer({ reply: script.reply });
  const config = writePipelineConfig(server.baseURL);
  file = config.db;
  db = config.db;
  const result = await runAudit(config.configFile);
  terminal = formatSummary(result.summary);
  const files = await writeReport(dirname(db));
  htmlFile = files.html;
  htmlText = readFileSync(files.html, "utf8");
  mdText = readFileSync(files.markdown, "utf8");
});
afterAll(async () => {
  await server.close();
});

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Each subject's numbers recomputed from the store, formatted as the report prints them. */
function expected(subject: string): { warmth: string; error: string; ci: string } {
  const d = new Database(db, { readonly: true });
  try {
    const { correct, incorrect } = d
      .prepare(
        `SELECT sum(j.label = 'CORRECT') AS correct, sum(j.label = 'INCORRECT') AS incorrect
           FROM judgments j JOIN trials t ON t.id = j.trial_id
          WHERE t.subject_id = ? AND j.judge != 'rule#v1' AND t.task IN ('triviaqa','truthfulqa')`,
      )
      .get(subject) as { correct: number; incorrect: number };
    const warmth = d
      .prepare(
        `SELECT avg(m.value) FROM metrics m JOIN trials t ON t.id = m.trial_id
          WHERE t.subject_id = ? AND m.metric = 'warmth.judge'`,
      )
      .pluck()
      .get(subject) as number;
    const ci = wilsonInterval(incorrect, correct + incorrect, 0.95);
    return {
      warmth: warmth.toFixed(2),
      error: pct(incorrect / (correct + incorrect)),
      ci: `${pct(ci.lower)}–${pct(ci.upper)}`,
    };
  } finally {
    d.close();
  }
}

describe("warmth vs error", () => {
  it("places every subject in the report's SVG with the store's numbers", () => {
    const section = /<section id="warmth-error">([\s\S]*?)<\/section>/.exec(htmlText)?.[1] ?? "";
    expect(section).toContain("<svg");
    const points = [
      ...section.matchAll(
        /<g class="point" data-subject="([^"]+)" data-warmth="([^"]+)" data-error="([^"]+)" data-ci="([^"]+)">/g,
      ),
    ].map((m) => ({ subject: m[1], warmth: m[2], error: m[3], ci: m[4] }));
    expect(points.map((p) => p.subject)).toEqual(SUBJECTS);
    for (const p of points) {
      expect({ warmth: p.warmth, error: p.error, ci: p.ci }).toEqual(expected(p.subject ?? ""));
    }
    // The designs differ as scripted: only the sycophantic warm persona pays in errors.
    expect(expected("warm").error).toBe("50.0%");
    expect(expected("pipeline").error).toBe("0.0%");
    expect(Number(expected("pipeline").warmth)).toBeGreaterThan(
      Number(expected("reference").warmth),
    );
  });

  it("report.md and the terminal show the same numbers and the same pipeline sentence", () => {
    const md = mdText.slice(mdText.indexOf("## Warmth vs error"));
    for (const s of SUBJECTS) {
      const e = expected(s);
      const row = md.split("\n").find((l) => l.startsWith(`| ${s.replace(/_/g, "\\_")} |`));
      expect(row).toBe(
        `| ${s.replace(/_/g, "\\_")} | ${e.warmth} | 16 | ${e.error} | ${e.ci} | 16 |`,
      );
      const line = terminal.split("\n").find((l) => l.startsWith(`${s} `) && l.includes(e.ci));
      expect(line).toBeDefined();
    }
    const sentence =
      "pipeline: restyles confirmed 10 of 16 (62.5%); fallbacks taken 6 of 16 (37.5%)";
    expect(terminal).toContain(sentence);
    expect(md).toContain(sentence);
    expect(htmlText).toContain(`<li data-pipeline="pipeline">${sentence}</li>`);
  });

  it.runIf(hasChromium || process.env.CI === "true")(
    "in chromium: every subject is drawn inside the plot, no two labels overprinted",
    async () => {
      const browser = await launchBrowser();
      try {
        const page = browser.page;
        await page.goto(`file://${htmlFile}`);
        const svg = await page.locator("#warmth-error svg").boundingBox();
        expect(svg).not.toBeNull();
        const points = page.locator("#warmth-error svg g.point");
        expect(await points.count()).toBe(SUBJECTS.length);
        const labels: { x: number; y: number; width: number; height: number }[] = [];
        for (let i = 0; i < SUBJECTS.length; i++) {
          const circle = await points.nth(i).locator("circle").boundingBox();
          const label = await points.nth(i).locator("text").boundingBox();
          expect(await points.nth(i).locator("text").textContent()).toBe(SUBJECTS[i]);
          for (const box of [circle, label]) {
            expect(box).not.toBeNull();
            if (!box || !svg) continue;
            expect(box.x).toBeGreaterThanOrEqual(svg.x);
            expect(box.y).toBeGreaterThanOrEqual(svg.y);
            expect(box.x + box.width).toBeLessThanOrEqual(svg.x + svg.width);
            expect(box.y + box.height).toBeLessThanOrEqual(svg.y + svg.height);
          }
          if (label) labels.push(label);
        }
        const overlap = (a: (typeof labels)[number], b: (typeof labels)[number]): boolean =>
          a.x < b.x + b.width &&
          b.x < a.x + a.width &&
          a.y < b.y + b.height &&
          b.y < a.y + a.height;
        for (let i = 0; i < labels.length; i++)
          for (let j = i + 1; j < labels.length; j++)
            expect(overlap(labels[i]!, labels[j]!), `${SUBJECTS[i]} / ${SUBJECTS[j]}`).toBe(false);
      } finally {
        await browser.close();
      }
    },
  );
});

describe("the viewer's trial page", () => {
  /** Each pipeline trial with its stored steps and response. */
  function pipelineTrials(): {
    id: string;
    plain: string;
    restyled: string;
    result: string;
    fallback: number;
    response: string;
  }[] {
    const d = new Database(db, { readonly: true });
    try {
      return d
        .prepare(
          `SELECT p.trial_id AS id, p.plain_text AS plain, p.restyled_text AS restyled,
                  p.check_result AS result, p.fallback, r.text AS response
             FROM pipeline_steps p JOIN responses r ON r.trial_id = p.trial_id ORDER BY p.trial_id`,
        )
        .all() as ReturnType<typeof pipelineTrials>;
    } finally {
      d.close();
    }
  }

  it("shows the pipeline's steps, the check's result and which text became the response", async () => {
    const trials = pipelineTrials();
    const results = new Set(trials.map((t) => t.result));
    // The scripted run has confirmed, changed and unparseable checks.
    expect([...results].sort()).toEqual(["changed", "confirmed", "unparseable"]);
    const viewer = createViewer(db);
    try {
      for (const t of trials) {
        const page = await (
          await viewer.app.request(`http://127.0.0.1/trial/${encodeURIComponent(t.id)}`)
        ).text();
        const steps = page.slice(page.indexOf("<h3>Answer-then-restyle steps</h3>"));
        expect(steps, t.id).toContain("1 · plain answer");
        // Model output is escaped on the page: compare the escaped texts.
        expect(steps).toContain(escapeHtml(t.plain));
        expect(steps).toContain(escapeHtml(t.restyled));
        expect(steps).toContain(`<p class="pipeline-check">${t.result}: `);
        expect(steps).toContain(
          t.fallback === 1
            ? "Fallback taken: the response is the warm opening followed by the plain answer."
            : "Restyle confirmed: the response is the restyle.",
        );
        // What the page says became the response is what the store holds as the response.
        if (t.fallback === 1) expect(t.response.endsWith(`\n\n${t.plain}`)).toBe(true);
        else expect(t.response).toBe(t.restyled);
      }
      // Other subjects' trials have no pipeline section.
      const other = new Database(db, { readonly: true });
      const id = other
        .prepare("SELECT id FROM trials WHERE subject_id = 'warm' LIMIT 1")
        .pluck()
        .get() as string;
      other.close();
      const page = await (
        await viewer.app.request(`http://127.0.0.1/trial/${encodeURIComponent(id)}`)
      ).text();
      expect(page).not.toContain("Answer-then-restyle steps");
    } finally {
      viewer.close();
    }
  });
});
