/**
 * The report and the viewer in a real browser (Debian's chromium through
 * playwright-core, one browser for the file): a run built by the tests whose
 * every response, and many judge rationales and challenge answers, carries a
 * script-injection payload (66 kinds). Nothing may execute: the flag the
 * payloads set stays unset, no script element, event-handler attribute,
 * javascript: URL or embedding element exists, no dialog opens, no request
 * leaves the machine. Also drives the viewer: filters, search, pagination and
 * the side-by-side view, checked against the store. Screenshots go to a temp
 * directory (printed).
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../../src/report/index.js";
import { type RunningViewer, startViewer } from "../../src/viewer/server.js";
import {
  hasChromium,
  launchBrowser,
  scriptInjectionFindings,
  type TestBrowser,
} from "../helpers/browser.js";
import { tempDir } from "../helpers/paths.js";
import { HOSTILE } from "./hostile.js";
import { addExtras, buildRun, type FixtureRun, HOSTILE_ITEMS } from "./run-fixture.js";

const strip = (s: string) => s.replace(/[^\P{Cc}\t\n\r]/gu, "");

let run: FixtureRun;
let reportFile: string;
let viewer: RunningViewer;
let browser: TestBrowser;
let db: Database.Database;
const shots = tempDir("candor-screenshots-");

beforeAll(async () => {
  run = await buildRun({ hostile: true, n: HOSTILE_ITEMS });
  addExtras(run, { hostile: true });
  reportFile = (await writeReport(run.runDir, { worst: 500 })).html;
  viewer = await startViewer(run.dbFile, { port: 0 });
  db = new Database(run.dbFile, { readonly: true });
  if (hasChromium || process.env.CI === "true") browser = await launchBrowser();
  process.stdout.write(`screenshots: ${shots}\n`);
});

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  db?.close();
});

async function expectClean(what: string) {
  expect(await scriptInjectionFindings(browser.page), what).toEqual([]);
  expect(
    browser.events.filter((e) => !e.startsWith("console.")),
    what,
  ).toEqual([]);
}

/** How many distinct payloads the page shows as literal text. */
async function payloadsShownAsText(): Promise<Set<string>> {
  const text = (await browser.page.evaluate("document.body.textContent")) as string;
  return new Set(HOSTILE.filter((p) => text.includes(strip(p).trim())));
}

async function shot(name: string) {
  const path = join(shots, `${name}.png`);
  await browser.page.screenshot({ path, fullPage: false });
  expect(statSync(path).size).toBeGreaterThan(5_000);
}

// Locally a missing chromium skips these tests; in CI (CI=true) it fails them.
describe.skipIf(!hasChromium && process.env.CI !== "true")("in chromium", () => {
  it("the report renders every hostile output as text and runs no script", async () => {
    await browser.page.goto(`file://${reportFile}`);
    await expectClean("report");
    const shown = await payloadsShownAsText();
    expect(shown.size).toBeGreaterThanOrEqual(50);
    // The figures are inline SVG and render.
    expect(await browser.page.locator("#rates svg").count()).toBe(1);
    expect(await browser.page.locator("#contexts svg, #sycophancy svg, #warmth svg").count()).toBe(
      3,
    );
    await shot("report-top");
    await browser.page.locator("#case-1").scrollIntoViewIfNeeded();
    await shot("report-worst-case");
    // Side by side: reference judged CORRECT, treatment INCORRECT, rationale shown.
    const sides = browser.page.locator("#case-1 .side");
    expect(await sides.count()).toBe(2);
    expect(await sides.nth(0).locator(".badge").textContent()).toBe("CORRECT");
    expect(await sides.nth(1).locator(".badge").textContent()).toBe("INCORRECT");
    const trialId = await sides.nth(1).locator("code").textContent();
    const stored = db
      .prepare(
        "SELECT r.text, j.rationale FROM responses r JOIN judgments j ON j.trial_id = r.trial_id AND j.judge = ? WHERE r.trial_id = ?",
      )
      .get(run.judge, trialId) as { text: string; rationale: string };
    expect(await sides.nth(1).locator("pre.response").textContent()).toBe(strip(stored.text));
    expect(await sides.nth(1).locator("pre.rationale").textContent()).toBe(strip(stored.rationale));
  });

  it("the viewer: filters, the side-by-side view and search, checked against the store", async () => {
    const page = browser.page;
    await page.goto(viewer.url);
    await expectClean("viewer home");
    await shot("viewer-home");
    await page.selectOption("select[name=task]", "triviaqa");
    await page.selectOption("select[name=context]", "emotion:sad");
    await page.selectOption("select[name=belief]", "incorrect");
    await page.selectOption("select[name=subject]", "warm");
    await page.selectOption("select[name=verdict]", "INCORRECT");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/verdict=INCORRECT/);
    const expected = db
      .prepare(
        `SELECT t.id FROM trials t JOIN responses r ON r.trial_id = t.id JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
         WHERE t.task = 'triviaqa' AND t.context = 'emotion:sad' AND t.belief = 'incorrect' AND t.subject_id = 'warm'
           AND j.label = 'INCORRECT' ORDER BY t.rowid`,
      )
      .pluck()
      .all(run.judge) as string[];
    expect(expected.length).toBeGreaterThan(0);
    const rows = page.locator("#results tbody tr");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trial")))).toEqual(
      expected,
    );
    const cells = await rows.first().locator("td").allInnerTexts();
    expect(cells.slice(0, 6)).toEqual([
      "warm",
      "triviaqa",
      cells[2],
      "emotion:sad",
      "incorrect",
      "INCORRECT",
    ]);
    expect(await page.locator("[data-total]").textContent()).toBe(String(expected.length));
    await expectClean("viewer filtered");
    await shot("viewer-filtered");

    // Side by side for the first row: same prompt, reference vs warm, verdicts and rationales.
    await rows.first().locator("a.pair-link").click();
    await page.waitForURL(/\/pair\//);
    const sides = page.locator("section.side");
    expect(await sides.count()).toBe(2);
    expect(
      await sides.evaluateAll((s) =>
        s.map((x) => [x.getAttribute("data-role"), x.getAttribute("data-subject")]),
      ),
    ).toEqual([
      ["Reference", "reference"],
      ["Treatment", "warm"],
    ]);
    const pair = db
      .prepare(
        `SELECT o.subject_id, r.text, j.rationale, o.messages_json FROM trials t
         JOIN trials o ON o.task = t.task AND o.item_id = t.item_id AND o.context = t.context AND o.belief = t.belief AND o.sample = t.sample
         JOIN responses r ON r.trial_id = o.id LEFT JOIN judgments j ON j.trial_id = o.id AND j.judge = ?
         WHERE t.id = ? ORDER BY o.subject_id`,
      )
      .all(run.judge, expected[0]) as {
      subject_id: string;
      text: string;
      rationale: string;
      messages_json: string;
    }[];
    for (const [i, p] of pair.entries()) {
      expect(await sides.nth(i).locator("pre.response").textContent()).toBe(strip(p.text));
      expect(await sides.nth(i).locator("pre.rationale").textContent()).toBe(strip(p.rationale));
    }
    const user = (JSON.parse(pair[0]!.messages_json) as { role: string; content: string }[]).at(
      -1,
    )!.content;
    expect(await page.locator("pre.prompt").textContent()).toBe(user);
    await expectClean("viewer side by side");
    await shot("viewer-side-by-side");

    // Full-text search from the form.
    await page.goto(viewer.url);
    await page.fill("input[name=q]", "absolutely");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/q=absolutely/);
    const snippets = await page.locator("#results td.snippet").allInnerTexts();
    expect(snippets.length).toBeGreaterThan(0);
    for (const s of snippets) expect(s.toLowerCase()).toContain("absolutely");
    await shot("viewer-search");

    // Pagination: "next" shows the following rows.
    await page.goto(viewer.url);
    const firstPage = await page
      .locator("#results tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trial")));
    await page.click("a[rel=next]");
    const secondPage = await page
      .locator("#results tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trial")));
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.some((id) => firstPage.includes(id))).toBe(false);
    await expectClean("viewer page 2");
  });

  it("no hostile output executes anywhere in the viewer: every list page, pair and trial pages", async () => {
    const page = browser.page;
    const shown = new Set<string>();
    await page.goto(viewer.url);
    for (let i = 0; i < 20; i++) {
      await expectClean(`list page ${i + 1}`);
      for (const p of await payloadsShownAsText()) shown.add(p);
      const next = page.locator("a[rel=next]");
      if ((await next.count()) === 0) break;
      await next.click();
    }
    expect(shown.size).toBeGreaterThanOrEqual(50);
    // Pages with the untrusted judge rationales and challenge answers.
    const ids = db
      .prepare(
        `SELECT c.trial_id FROM challenges c JOIN challenge_judgments cj ON cj.trial_id = c.trial_id
         JOIN judgments j ON j.trial_id = c.trial_id WHERE c.text LIKE '%<%' AND j.rationale LIKE '%<%' LIMIT 12`,
      )
      .pluck()
      .all() as string[];
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) {
      await page.goto(`${viewer.url}trial/${encodeURIComponent(id)}`);
      await expectClean(`trial ${id}`);
      await page.goto(`${viewer.url}pair/${encodeURIComponent(id)}`);
      await expectClean(`pair ${id}`);
    }
    await shot("viewer-trial-hostile");
  });
});
