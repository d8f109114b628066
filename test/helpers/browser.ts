/**
 * Debian's chromium driven by playwright-core for browser tests. Never lets a
 * package download a browser: the executable is the system one (install it
 * with `apt-get install -y chromium`). One browser per test file; reuse pages.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CANDOR_CHROMIUM ?? "/usr/bin/chromium";

export const hasChromium = existsSync(CHROMIUM);

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-default-apps",
  "--disable-extensions",
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged, page errors and dialogs (alert/confirm) it opened. */
  events: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!hasChromium) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "candor-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const events: string[] = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => events.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    events.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on("console", (m) => events.push(`console.${m.type()}: ${m.text()}`));
  // Any request leaving the machine is a failure of "works offline".
  await context.route(/^(?!file:|http:\/\/127\.0\.0\.1[:/]|data:|about:)/, (route) => {
    events.push(`external request: ${route.request().url()}`);
    void route.abort();
  });
  return {
    context,
    page,
    events,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs in the page (as a string: the project's TypeScript has no DOM types). */
const FINDINGS_SCRIPT = `(() => {
  const found = [];
  for (const key of ["__xss"]) if (window[key] !== undefined) found.push("window." + key + " = " + String(window[key]));
  for (const el of document.querySelectorAll("iframe, frame, object, embed, base, meta[http-equiv]")) {
    // The page's own Content-Security-Policy, in <head>, is expected.
    const ownCsp = el.tagName === "META" &&
      (el.getAttribute("http-equiv") || "").toLowerCase() === "content-security-policy" &&
      el.parentElement === document.head;
    if (!ownCsp) found.push("element <" + el.tagName.toLowerCase() + ">");
  }
  const scripts = document.querySelectorAll("script");
  if (scripts.length > 0) found.push(scripts.length + " <script> element(s)");
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push("<" + el.tagName.toLowerCase() + " " + attr.name + ">");
      if (/^(href|src|action|formaction|xlink:href|data|srcdoc)$/i.test(attr.name) &&
          /^\\s*(javascript|data|vbscript):/i.test(attr.value))
        found.push("<" + el.tagName.toLowerCase() + " " + attr.name + "=" + attr.value.slice(0, 40) + ">");
    }
  }
  return found;
})()`;

/**
 * Checks a page for script that ran or could run: the flag every hostile
 * payload sets, script elements, inline event-handler attributes, javascript:
 * URLs and embedding elements. Returns what it found (empty = clean).
 */
export async function scriptInjectionFindings(page: Page): Promise<string[]> {
  return (await page.evaluate(FINDINGS_SCRIPT)) as string[];
}
