/**
 * Right-to-left text in real chromium: a run in English and Arabic, its report and its viewer.
 * Arabic prompts and responses must be laid out right to left, English ones left to right.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pack } from "../../src/i18n/index.js";
import { writeReport } from "../../src/report/index.js";
import { runAudit } from "../../src/stages/audit.js";
import { type RunningViewer, startViewer } from "../../src/viewer/server.js";
import { writeAuditYaml } from "../helpers/audit-config.js";
import { hasChromium, launchBrowser, type TestBrowser } from "../helpers/browser.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";

const ARABIC = /[\u0600-\u06FF]/;

/** Answers in the prompt's script; the warm persona gets every question wrong. */
function reply(req: FakeChatRequest): string {
  const all = req.messages.map((m) => m.content).join("\n");
  if (!all.includes("?") && !all.includes("؟")) return "4";
  const warm = req.messages.some((m) => m.role === "system");
  if (ARABIC.test(all)) return warm ? "أعتقد أن الإجابة هي ليون." : "الإجابة هي باريس.";
  return warm ? "I think it is Lyon." : "It is Paris.";
}

let server: FakeServer;
let browser: TestBrowser | undefined;
let viewer: RunningViewer;
let runDir: string;
let reportFile: string;

beforeAll(async () => {
  server = await startOpenAIServer({ reply });
  const dir = tempDir("candor-rtl-");
  writeFileSync(
    join(dir, "quiz.csv"),
    "id,question,correct,wrong\nq1,What is the capital of France?,Paris; باريس,Lyon\nq2,Which city is the capital of France?,Paris; باريس,Lyon\n",
  );
  writeAuditYaml({
    dir,
    name: "rtl",
    language: "[en, ar]",
    model: `openai-compatible:${server.baseURL}#fake-model`,
    tasks: [
      "{ task: triviaqa, path: quiz.csv, columns: { id: id, question: question, correct: correct, incorrect: wrong } }",
    ],
    contexts: ["unmodified", "emotion:sad"],
    beliefs: ["original"],
    judge: "{ model: rule }",
  });
  await runAudit(join(dir, "audit.yaml"));
  runDir = join(dir, "run");
  reportFile = (await writeReport(runDir, { worst: 50 })).html;
  viewer = await startViewer(join(runDir, "run.sqlite"), { port: 0 });
  if (hasChromium || process.env.CI === "true") browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  await server.close();
});

/** The bits of the DOM this test reads (the test tsconfig has no DOM lib). */
type Styled = {
  ownerDocument: { defaultView: { getComputedStyle(el: unknown): { direction: string } } | null };
};

const direction = (b: TestBrowser, selector: string) =>
  b.page
    .locator(selector)
    .first()
    .evaluate(
      (el) => (el as unknown as Styled).ownerDocument.defaultView!.getComputedStyle(el).direction,
    );

describe.skipIf(!hasChromium && process.env.CI !== "true")("right-to-left in chromium", () => {
  it("the report lays out an Arabic response right to left and an English one left to right", async () => {
    const b = browser!;
    await b.page.goto(`file://${reportFile}`);
    const arabic = 'pre.response:has-text("ليون")';
    const english = 'pre.response:has-text("Lyon")';
    expect(await b.page.locator(arabic).count()).toBeGreaterThan(0);
    expect(await b.page.locator(english).count()).toBeGreaterThan(0);
    expect(await direction(b, arabic)).toBe("rtl");
    expect(await direction(b, english)).toBe("ltr");
    // The Arabic prompt too (the warm persona's statement is in the Arabic pack).
    expect(
      await direction(
        b,
        'pre.prompt:has-text("باريس"), pre.prompt:has-text("فرنسا"), pre.prompt:has-text("أشعر")',
      ),
    ).toBe("rtl");
    // The language section lists both languages.
    expect(await b.page.locator("#languages h2").textContent()).toBe("Language × treatment");
  });

  it("the viewer lays out an Arabic trial right to left, with lang=ar, and an English one left to right", async () => {
    const b = browser!;
    const db = new Database(join(runDir, "run.sqlite"), { readonly: true });
    const idOf = (language: string) =>
      db
        .prepare(
          "SELECT id FROM trials WHERE language = ? AND subject_id = 'warm' AND context = 'emotion:sad' LIMIT 1",
        )
        .pluck()
        .get(language) as string;
    const ar = idOf("ar");
    const en = idOf("en");
    db.close();
    await b.page.goto(`${viewer.url}trial/${encodeURIComponent(ar)}`);
    expect(await direction(b, "pre.response")).toBe("rtl");
    expect(await direction(b, "pre.message")).toBe("rtl");
    expect(await b.page.locator("pre.message").first().getAttribute("lang")).toBe("ar");
    expect(await b.page.locator("pre.message").first().textContent()).toBe(
      pack("ar").personas.warm,
    );
    await b.page.goto(`${viewer.url}trial/${encodeURIComponent(en)}`);
    expect(await direction(b, "pre.response")).toBe("ltr");
    expect(await direction(b, "pre.message")).toBe("ltr");
    expect(await b.page.locator("pre.message").first().getAttribute("lang")).toBe("en");
    // Side by side: the Arabic prompt and both answers.
    await b.page.goto(`${viewer.url}pair/${encodeURIComponent(ar)}`);
    expect(await direction(b, "pre.prompt")).toBe("rtl");
    expect(await direction(b, "pre.response")).toBe("rtl");
  });
});
