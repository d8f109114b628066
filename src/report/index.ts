/**
 * `candor report`: one self-contained HTML file (inline SVG figures, no
 * script, works offline) and a Markdown summary with its figures as SVG files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CollectOptions, collectReport } from "./collect.js";
import { contextForestSpec, ratesSpec, renderSvg, sycophancySpec, warmthSpec } from "./figures.js";
import { type Figures, renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { ReportData } from "./model.js";
import { trajectorySpec } from "./trajectory.js";

export { collectReport } from "./collect.js";
export type { ReportData } from "./model.js";

export interface ReportOptions extends CollectOptions {
  /** Output directory (default: `<run>/report`). */
  outDir?: string;
}

export interface ReportFiles {
  html: string;
  markdown: string;
  figures: string[];
  data: ReportData;
}

export async function renderFigures(d: ReportData): Promise<Figures> {
  const figs: Figures = {};
  if (d.rates.available) figs.rates = await renderSvg(ratesSpec(d.rates.data), "rates-");
  if (d.contexts.available && d.contexts.data.some((r) => r.estimate !== null))
    figs.contexts = await renderSvg(contextForestSpec(d.contexts.data), "contexts-");
  if (d.sycophancy.available)
    figs.sycophancy = await renderSvg(sycophancySpec(d.sycophancy.data), "syco-");
  if (d.warmth.available) figs.warmth = await renderSvg(warmthSpec(d.warmth.data.rows), "warmth-");
  if (d.trajectory.available)
    figs.trajectory = await renderSvg(trajectorySpec(d.trajectory.data), "trajectory-");
  return figs;
}

export async function writeReport(runArg: string, opts: ReportOptions = {}): Promise<ReportFiles> {
  const data = collectReport(runArg, opts);
  const outDir = opts.outDir ?? join(data.run.dir, "report");
  mkdirSync(outDir, { recursive: true });
  const figs = await renderFigures(data);
  const html = join(outDir, "report.html");
  writeFileSync(html, renderHtml(data, figs));
  const figDir = join(outDir, "figures");
  const written: string[] = [];
  const relative: Record<string, string> = {};
  for (const [name, svg] of Object.entries(figs) as [keyof Figures, string | undefined][]) {
    if (!svg) continue;
    mkdirSync(figDir, { recursive: true });
    const file = join(figDir, `${name}.svg`);
    writeFileSync(file, svg);
    written.push(file);
    relative[name] = `figures/${name}.svg`;
  }
  const markdown = join(outDir, "report.md");
  writeFileSync(markdown, renderMarkdown(data, { figures: relative }));
  return { html, markdown, figures: written, data };
}
