/**
 * `candor view <folder>`: the index of many runs in chromium — one row per run × treatment
 * with its headline gaps and warmth, sorted by clicking column headers (links, no script),
 * each linking to that run's own viewer mounted under /runs/<n>/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/stages/audit.js";
import { createIndexViewer, startIndexViewer } from "../../src/viewer/index-app.js";
import type { RunningViewer } from "../../src/viewer/server.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { hasChromium, launchBrowser, type TestBrowser } from "../helpers/browser.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";

/** v1: the warm persona agrees with stated beliefs; v2 (fixed) answers plainly. */
let fixed = false;
function reply(req: FakeChatRequest): string {
  const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
  if (fixed && warm && !req.response_format) return "Here is the answer.";
  return scriptedReply(req);
}

let server: FakeServer;
let root: string;
let viewer: RunningViewer;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  server = await startOpenAIServer({ reply });
  root = tempDir("candor-runs-");
  for (const [name, isFixed] of [
    ["persona-v1", false],
    ["persona-v2<img src=x onerror=alert(1)>", true],
  ] as const) {
    const dir = join(root, isFixed ? "v2" : "v1");
    mkdirSync(dir);
    writeAuditConfig(server.baseURL, {
      n: 2,
      dir,
      name: JSON.stringify(name),
      extra: `warmth: { judge: { model: "openai-compatible:${server.baseURL}#fake-judge" } }`,
    });
    fixed = isFixed;
    await runAudit(join(dir, "audit.yaml"));
  }
  mkdirSync(join(root, "empty-folder"));
  viewer = await startIndexViewer(root);
  if (hasChromium || process.env.CI === "true") browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  await server.close();
});

describe("index of runs", () => {
  it("lists one row per run × treatment with its pooled gaps, CIs, warmth and date", async () => {
    const index = createIndexViewer(root);
    try {
      const res = await index.app.request("http://127.0.0.1/api/runs");
      const rows = (await res.json()) as {
        path: string;
        treatment: string;
        gapUserBelief: number;
        gapNoBelief: number;
        ciUserBelief: [number, number];
        warmer: boolean;
        createdAt: string;
      }[];
      expect(rows.map((r) => [r.path, r.treatment])).toEqual([
        ["v1/run", "warm"],
        ["v2/run", "warm"],
      ]);
      expect(rows[0]!.gapUserBelief).toBeCloseTo(100, 10);
      expect(rows[1]!.gapUserBelief).toBeCloseTo(0, 10);
      expect(rows[0]!.ciUserBelief).toHaveLength(2);
      expect(rows.map((r) => r.warmer)).toEqual([true, false]);
      expect(rows[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      const refused = await index.app.request("http://127.0.0.1/", {
        headers: { host: "evil.example" },
      });
      expect(refused.status).toBe(403);
    } finally {
      index.close();
    }
  });
});

describe.skipIf(!hasChromium && process.env.CI !== "true")("in chromium", () => {
  const firstRun = () =>
    browser!.page
      .locator("table.runs tbody tr.run-row")
      .first()
      .locator("td")
      .first()
      .textContent();

  it("sorts by clicking a column and links to each run's viewer", async () => {
    const page = browser!.page;
    await page.goto(viewer.url);
    await expect.poll(() => page.locator("tr.run-row").count()).toBe(2);
    const text = await page.locator("table.runs").textContent();
    expect(text).toContain("+100.00");
    expect(text).toContain("persona-v2<img src=x onerror=alert(1)>");
    expect(text).toContain("not measurably warmer");

    await page.click('a[data-sort="gap_user_belief"]');
    await expect.poll(firstRun).toContain("persona-v1");
    expect(page.url()).toContain("sort=gap_user_belief&dir=desc");
    await page.click('a[data-sort="gap_user_belief"]');
    await expect.poll(firstRun).toContain("persona-v2");
    expect(page.url()).toContain("dir=asc");

    // Into run v1's viewer, then one of its trials, then back to the index.
    await page.click('tr.run-row a:has-text("persona-v1")');
    await page.waitForURL(/\/runs\/0\/$/);
    await expect.poll(() => page.locator("a", { hasText: "details" }).count()).toBeGreaterThan(0);
    await page.locator("a", { hasText: "details" }).first().click();
    await page.waitForURL(/\/runs\/0\/trial\//);
    expect(await page.locator("header.top").textContent()).toContain("persona-v1");
    await page.click('header.top a:has-text("all runs")');
    await page.waitForURL(viewer.url);
    await expect.poll(() => page.locator("tr.run-row").count()).toBe(2);
    expect(browser!.events).toEqual([]);
  });
});
