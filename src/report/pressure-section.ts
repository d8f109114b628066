/**
 * The report's "Pressure over turns" section: the survival curve as inline SVG, the per-cell
 * table and the paired tests. Numbers and words come from analysis/pressure*.ts (the same as
 * summary.json and the terminal); this file only renders them.
 */

import { PAIRED_TEST_HEADER, PAIRED_TEST_NOTE, pairedTestCells } from "../analysis/paired-tests.js";
import type { PressureCell, PressureSummary } from "../analysis/pressure.js";
import {
  PRESSURE_NOTE,
  PRESSURE_TITLE,
  pressureCellTexts,
  pressureHeader,
  pressureIntro,
  pressureTestTitle,
} from "../analysis/pressure-format.js";
import { pressureSummaryOf } from "../analysis/pressure-summary.js";
import type { AuditConfig } from "../config/schema.js";
import type { RunStore } from "../store/run-store.js";
import { html, joinHtml, type SafeHtml } from "./escape.js";
import { pairedMd } from "./markdown-parts.js";
import { type Section, unavailable } from "./section.js";

export function collectPressure(
  store: RunStore,
  config: AuditConfig,
  judge: string,
): Section<PressureSummary> {
  if (!config.pressure) {
    return unavailable(
      "the audit did not press answers over turns; add `pressure: { turns: 5 }` to measure how answers hold up as the user pushes back harder",
    );
  }
  const p = pressureSummaryOf(store, config, judge);
  return p ? { available: true, data: p } : unavailable("no pressure turn is stored yet");
}

/** One line per subject: its pooled cell when it has one, else each of its cells. */
export function plottedCells(cells: readonly PressureCell[]): PressureCell[] {
  const pooled = new Set(cells.filter((c) => c.task === "all").map((c) => c.subject));
  return cells.filter((c) => c.survival !== null && (c.task === "all" || !pooled.has(c.subject)));
}

const COLORS = ["#1b6ac9", "#d1495b", "#2e933c", "#8e5cc4", "#e08a00", "#3d9ca8"];
const W = 520;
const H = 260;
const M = { left: 48, right: 16, top: 12, bottom: 36 };

function lineName(c: PressureCell): string {
  return c.task === "all" ? c.subject : `${c.subject} · ${c.task} · ${c.context}`;
}

/** Share still correct by turn, one polyline per plotted cell (labels escaped by `html`). */
export function survivalSvg(p: PressureSummary): SafeHtml {
  const cells = plottedCells(p.cells);
  const x = (t: number) => M.left + ((W - M.left - M.right) * t) / Math.max(1, p.turns);
  const y = (s: number) => M.top + (H - M.top - M.bottom) * (1 - s);
  const ticksX = Array.from({ length: p.turns + 1 }, (_, t) => t);
  const axes = html`<line x1="${M.left}" y1="${y(0)}" x2="${W - M.right}" y2="${y(0)}" stroke="#444"/>
<line x1="${M.left}" y1="${y(0)}" x2="${M.left}" y2="${y(1)}" stroke="#444"/>
${ticksX.map((t) => html`<text x="${x(t)}" y="${y(0) + 16}" text-anchor="middle" font-size="11">${t}</text>`)}
${[0, 0.5, 1].map((s) => html`<text x="${M.left - 6}" y="${y(s) + 4}" text-anchor="end" font-size="11">${`${s * 100}%`}</text>`)}
<text x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle" font-size="11">turn (0 = first answer)</text>`;
  const lines = cells.map((c, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = (c.survival ?? []).map((s, t) => `${x(t).toFixed(1)},${y(s).toFixed(1)}`);
    return html`<g data-line="${lineName(c)}"><polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>
${(c.survival ?? []).map((s, t) => html`<circle cx="${x(t).toFixed(1)}" cy="${y(s).toFixed(1)}" r="3" fill="${color}"><title>${lineName(c)}, turn ${t}: ${(s * 100).toFixed(1)}%</title></circle>`)}
<text x="${W - M.right}" y="${M.top + 14 * (i + 1)}" text-anchor="end" font-size="11" fill="${color}">${lineName(c)}</text></g>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Share of initially correct answers still correct by turn">${axes}${joinHtml(lines)}</svg>`;
}

const row = (cells: string[], numFrom: number) =>
  html`<tr>${cells.map((c, i) => (i < numFrom ? html`<td>${c}</td>` : html`<td class="num">${c}</td>`))}</tr>`;

export function pressureHtml(s: Section<PressureSummary>): SafeHtml {
  const title = html`<h2>${PRESSURE_TITLE}</h2>`;
  if (!s.available) {
    return html`<section id="pressure">${title}<p class="na" data-na>No data in this run: ${s.reason}</p></section>`;
  }
  const p = s.data;
  return html`<section id="pressure">${title}
<p>${pressureIntro(p)}</p>
<figure>${survivalSvg(p)}<figcaption>Share of answers correct at first that are still correct by each turn.</figcaption></figure>
<table><thead><tr>${pressureHeader(p.turns).map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${p.cells.map((c) => row(pressureCellTexts(c), 3))}
</tbody></table>
<p class="note">${PRESSURE_NOTE}</p>
${
  p.tests.length > 0
    ? html`<h3>${pressureTestTitle(p.turns)}</h3>
<table><thead><tr>${PAIRED_TEST_HEADER.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${p.tests.map((x) => row(pairedTestCells(x), 4))}
</tbody></table>
<p class="note">${PAIRED_TEST_NOTE}</p>`
    : html``
}</section>`;
}

export function pressureMarkdown(
  s: Section<PressureSummary>,
  t: (s: string | number | null | undefined) => string,
  table: (head: string[], rows: string[][]) => string,
): string[] {
  const out = [`## ${PRESSURE_TITLE}`, ""];
  if (!s.available) return [...out, `_No data in this run: ${t(s.reason)}_`, ""];
  const p = s.data;
  out.push(
    t(pressureIntro(p)),
    "",
    table(
      pressureHeader(p.turns),
      p.cells.map((c) => pressureCellTexts(c).map(t)),
    ),
    "",
    t(PRESSURE_NOTE),
  );
  if (p.tests.length > 0)
    out.push("", `### ${t(pressureTestTitle(p.turns))}`, ...pairedMd(p.tests));
  out.push("");
  return out;
}
