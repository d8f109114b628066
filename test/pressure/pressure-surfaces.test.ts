import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pairedTestCells } from "../../src/analysis/paired-tests.js";
import type { PressureSummary } from "../../src/analysis/pressure.js";
import { pressureCellTexts, pressureHeader } from "../../src/analysis/pressure-format.js";
import { registerReport } from "../../src/cli/commands/report.js";
import { registerSummary } from "../../src/cli/commands/summary.js";
import { DEFAULT_PRESSURE_TEXTS } from "../../src/design/pressure.js";
import { escapeHtml } from "../../src/report/escape.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { RunStore } from "../../src/store/run-store.js";
import { createViewer } from "../../src/viewer/app.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { runRegistered } from "../report/cli-inprocess.js";
import { plantedModel, plantSchedules, triviaAnswers, writePressureConfig } from "./planted.js";

const model = plantedModel(triviaAnswers());
let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: (req) => model.reply(req) });
});
afterAll(async () => {
  await server.close();
});

/** report.md backslash-escapes punctuation; the reader sees the text without the backslashes. */
const unescapeMd = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, "$1");

describe("pressure on every surface", () => {
  it("the terminal, summary.json, report.html and report.md show the same pressure numbers and words", async () => {
    const { dir, configFile } = writePressureConfig(server.baseURL);
    await plantSchedules(model, configFile);
    await runAudit(configFile);
    const run = join(dir, "run");
    const json = JSON.parse(readFileSync(join(run, "summary.json"), "utf8")) as {
      pressure: PressureSummary;
    };
    const p = json.pressure;
    const warm = p.cells.find((c) => c.subject === "warm")!;
    // The planted values, as every surface writes them.
    expect(pressureCellTexts(warm)).toEqual([
      "warm",
      "triviaqa",
      "unmodified",
      "3",
      "3",
      "100.0 · 66.7 · 33.3 · 33.3 · 33.3 · 33.3",
      "1.50",
      "33.3%",
      "1.00",
      "2",
      "1",
    ]);
    expect(pairedTestCells(p.tests[0]!).at(-1)).toBe("0.500");

    const terminal = (await runRegistered([registerSummary], "summary", run)).stdout;
    await runRegistered([registerReport], "report", run);
    const html = readFileSync(join(run, "report", "report.html"), "utf8");
    const md = unescapeMd(readFileSync(join(run, "report", "report.md"), "utf8"));

    for (const surface of [terminal, html, md]) {
      expect(surface).toContain("Pressure over turns");
      expect(surface).toContain(
        "After the first answer the user pushed back 5 times, in one conversation: simple, ethos, justification, citation, citation.",
      );
      expect(surface).toContain("flipped by turn 5");
    }
    const rows = [
      ...p.cells.map(pressureCellTexts),
      ...p.tests.map(pairedTestCells),
      pressureHeader(p.turns),
    ];
    for (const cells of rows) {
      // Terminal: the cells in order on one line, padded apart.
      const line = terminal
        .slice(terminal.indexOf("Pressure over turns"))
        .split("\n")
        .find((l) => l.trim().startsWith(cells[0]!) && l.includes(cells[5]!));
      expect(line, `terminal row ${cells.join(" ")}`).toBeDefined();
      expect(line!.trim().split(/\s{2,}/)).toEqual(cells);
      // Markdown: one table row with exactly these cells.
      expect(md).toContain(`| ${cells.join(" | ")} |`);
      // HTML: one table row with exactly these cells.
      const htmlCells = [...html.matchAll(/<t[dh](?: class="num")?>([^<]*)<\/t[dh]>/g)].map(
        (m) => m[1],
      );
      const at = htmlCells.indexOf(escapeHtml(cells[0]!));
      expect(at).toBeGreaterThanOrEqual(0);
      const joined = htmlCells.join("\u0000");
      expect(joined).toContain(cells.map(escapeHtml).join("\u0000"));
    }
    // The survival curve: one line per subject, six points (turns 0…5) each.
    const svg = /<section id="pressure">[\s\S]*?<svg[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain("warm · triviaqa · unmodified, turn 2: 33.3%");
    expect(svg.match(/<circle /g)).toHaveLength(12);
  });

  it("the viewer's trial page shows each pressure turn: rung, push-back, answer (escaped) and verdict", async () => {
    const { dir, configFile } = writePressureConfig(server.baseURL);
    const items = await plantSchedules(model, configFile);
    await runAudit(configFile);
    const file = join(dir, "run", RUN_DB);
    const store = RunStore.open(file, { readonly: true });
    const id = store.db
      .prepare("SELECT id FROM trials WHERE subject_id = 'warm' AND item_id = ?")
      .pluck()
      .get(items[2]!.id) as string;
    store.close();
    const viewer = createViewer(file);
    try {
      const page = await (await viewer.app.request(`http://127.0.0.1/trial/${id}`)).text();
      for (const [turn, rung] of [
        [1, "simple"],
        [4, "citation"],
        [5, "citation"],
      ] as const) {
        expect(page).toContain(`<h3>Pressure turn ${turn} (${rung})</h3>`);
      }
      expect(page).toContain(escapeHtml(DEFAULT_PRESSURE_TEXTS.ethos));
      // Item C gave in from turn 1: five escaped answers, each judged INCORRECT.
      const answer = escapeHtml(
        "You're right, I was mistaken; it must be something else entirely.",
      );
      expect(page.split(answer)).toHaveLength(6);
      expect(page).not.toContain("You're right");
      // After each turn's answer, its verdict from the run's judge.
      const turns = page.split("<h3>Pressure turn ").slice(1);
      expect(turns).toHaveLength(5);
      for (const t of turns) {
        expect(t).toMatch(/class="verdict" data-judge="[^"]+"><p>[^<]*<[^>]+>INCORRECT</);
      }
    } finally {
      viewer.close();
    }
  });
});
