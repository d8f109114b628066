/**
 * The report's "Warmth vs error" section: every subject placed by mean warmth (x) against its
 * error rate on the reliability tasks with a 95% interval (y), as inline SVG in the HTML and as
 * a table with the same cells in Markdown; and, per pipeline subject, the rewrites its claim
 * check confirmed and the fallbacks taken. Numbers come from analysis/ (warmth-error.ts,
 * pipeline-summary.ts), the same functions summary.json and the terminal use.
 */
import {
  type PipelineSummary,
  pipelineSentence,
  pipelineSummary,
} from "../analysis/pipeline-summary.js";
import type { SummaryCell } from "../analysis/summary.js";
import {
  NOT_RATED,
  WARMTH_ERROR_HEADER,
  type WarmthVsError,
  warmthErrorCells,
  warmthErrorNote,
  warmthVsError,
} from "../analysis/warmth-error.js";
import type { AuditConfig } from "../config/schema.js";
import type { RunStore } from "../store/run-store.js";
import { warmthManipulationCheck } from "../warmth/index.js";
import { html, joinHtml, type SafeHtml } from "./escape.js";
import { type Section, unavailable } from "./section.js";

export interface WarmthErrorData {
  chart: WarmthVsError;
  pipeline: PipelineSummary[];
}

export function collectWarmthError(
  store: RunStore,
  config: AuditConfig,
  cells: readonly SummaryCell[],
): Section<WarmthErrorData> {
  const warmth = config.warmth
    ? warmthManipulationCheck(store, config.compare, { alpha: config.warmth.alpha })
    : undefined;
  const chart = warmthVsError(
    config.subjects.map((s) => s.id),
    cells,
    warmth,
  );
  if (!chart.points.some((p) => p.scored > 0))
    return unavailable("no judged CORRECT/INCORRECT responses on a reliability task yet");
  return {
    available: true,
    data: { chart, pipeline: pipelineSummary(store) },
    notes: [warmthErrorNote(chart)],
  };
}

// Plot geometry (SVG user units).
const W = 640;
const H = 380;
const M = { left: 130, right: 24, top: 16, bottom: 48 };
/** Subjects without warmth ratings sit in a strip left of the axis, labelled "not rated". */
const STRIP_X = 60;

function niceMax(x: number): number {
  return Math.min(1, Math.max(0.1, Math.ceil(x * 10) / 10));
}

/** The scatter plot with 95% intervals, one `<g data-subject>` per subject (SVG, inline). */
export function warmthErrorSvg(chart: WarmthVsError): SafeHtml {
  const points = chart.points.filter((p) => p.errorRate !== null);
  const rated = points.filter((p) => p.warmth !== null).map((p) => p.warmth as number);
  const judgeScale = chart.metric === "warmth.judge";
  let x0 = judgeScale ? 1 : Math.min(...rated);
  let x1 = judgeScale ? 7 : Math.max(...rated);
  if (!(x1 > x0)) {
    x0 = (rated[0] ?? 0) - 1;
    x1 = (rated[0] ?? 0) + 1;
  }
  const yMax = niceMax(Math.max(0, ...points.map((p) => p.ci95?.[1] ?? p.errorRate ?? 0)));
  const px = (w: number | null) =>
    w === null ? STRIP_X : M.left + ((w - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (e: number) => H - M.bottom - (e / yMax) * (H - M.top - M.bottom);
  const f = (n: number) => n.toFixed(1);
  const yTicks = Array.from({ length: 6 }, (_, i) => (yMax * i) / 5);
  const xTicks = Array.from({ length: 5 }, (_, i) => x0 + ((x1 - x0) * i) / 4);
  // Subjects on the same spot (same warmth and error) get their labels stacked, not overprinted.
  const atSpot = new Map<string, number>();
  const marks = points.map((p) => {
    const cells = warmthErrorCells(p);
    const x = px(p.warmth);
    const spot = `${Math.round(x)},${Math.round(py(p.errorRate ?? 0))}`;
    const stacked = atSpot.get(spot) ?? 0;
    atSpot.set(spot, stacked + 1);
    const [lo, hi] = p.ci95 ?? [p.errorRate ?? 0, p.errorRate ?? 0];
    return html`<g class="point" data-subject="${p.subject}" data-warmth="${cells[1] ?? ""}" data-error="${cells[3] ?? ""}" data-ci="${cells[4] ?? ""}">
<title>${p.subject}: warmth ${cells[1] ?? ""}, error ${cells[3] ?? ""} (95% CI ${cells[4] ?? ""})</title>
<line x1="${f(x)}" x2="${f(x)}" y1="${f(py(lo))}" y2="${f(py(hi))}" stroke="#1c7ed6" stroke-width="2"/>
<circle cx="${f(x)}" cy="${f(py(p.errorRate ?? 0))}" r="5" fill="#1c7ed6"/>
<text x="${f(x + 8)}" y="${f(py(p.errorRate ?? 0) - 6 - 14 * stacked)}" font-size="12">${p.subject}</text>
</g>`;
  });
  const xLabel = chart.metric === null ? `warmth: ${NOT_RATED}` : `mean warmth (${chart.metric})`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Warmth against error rate per subject" font-family="system-ui, sans-serif">
<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>
<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#59636e"/>
<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#59636e"/>
${joinHtml(
  yTicks.map(
    (v) =>
      html`<text x="${M.left - 6}" y="${f(py(v) + 4)}" font-size="11" text-anchor="end">${(v * 100).toFixed(0)}%</text>`,
  ),
)}
${
  rated.length > 0
    ? joinHtml(
        xTicks.map(
          (v) =>
            html`<text x="${f(px(v))}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${v.toFixed(judgeScale ? 1 : 3)}</text>`,
        ),
      )
    : html``
}
${
  points.some((p) => p.warmth === null)
    ? html`<text x="${STRIP_X}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${NOT_RATED}</text>`
    : html``
}
<text x="${f((M.left + W - M.right) / 2)}" y="${H - 8}" font-size="12" text-anchor="middle">${xLabel}</text>
<text x="14" y="${f((M.top + H - M.bottom) / 2)}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${f((M.top + H - M.bottom) / 2)})">error rate, reliability tasks (95% CI)</text>
${joinHtml(marks)}
</svg>`;
}

export function warmthErrorHtml(s: Section<WarmthErrorData>): SafeHtml {
  const title = html`<h2>Warmth vs error</h2>`;
  if (!s.available)
    return html`<section id="warmth-error">${title}<p class="na" data-na>No data in this run: ${s.reason}</p></section>`;
  const { chart, pipeline } = s.data;
  return html`<section id="warmth-error">${title}
<p>Which design gets warmth without the error cost: each subject by its mean warmth against its error rate.</p>
<div class="figure">${warmthErrorSvg(chart)}</div>
<table><thead><tr>${WARMTH_ERROR_HEADER.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${chart.points.map((p) => html`<tr data-subject="${p.subject}">${warmthErrorCells(p).map((c, i) => (i === 0 ? html`<td>${c}</td>` : html`<td class="num">${c}</td>`))}</tr>`)}
</tbody></table>
${(s.notes ?? []).map((n) => html`<p class="note">${n}</p>`)}
${
  pipeline.length > 0
    ? html`<h3>Warm-but-honest pipeline</h3><ul>${pipeline.map((p) => html`<li data-pipeline="${p.subject}">${pipelineSentence(p)}</li>`)}</ul>`
    : html``
}
</section>`;
}

export function warmthErrorMarkdown(
  s: Section<WarmthErrorData>,
  t: (s: string) => string,
  table: (head: string[], rows: string[][]) => string,
  mdSentence: (s: string) => string,
): string[] {
  const out = ["## Warmth vs error", ""];
  if (!s.available) return [...out, `_No data in this run: ${t(s.reason)}_`, ""];
  const { chart, pipeline } = s.data;
  out.push(
    table(
      [...WARMTH_ERROR_HEADER],
      chart.points.map((p) =>
        // Only the subject id is outside text; the numbers are candor's own, printed as they are.
        warmthErrorCells(p).map((c, i) => (i === 0 ? t(c) : c)),
      ),
    ),
    "",
  );
  for (const n of s.notes ?? []) out.push(t(n), "");
  if (pipeline.length > 0) {
    out.push("### Warm-but-honest pipeline", "");
    for (const p of pipeline) out.push(`- ${mdSentence(pipelineSentence(p))}`);
    out.push("");
  }
  return out;
}
