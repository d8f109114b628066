/**
 * The self-contained HTML report: inline CSS, inline SVG figures, no script,
 * no external resource; a Content-Security-Policy that forbids scripts is a
 * second line of defence behind escaping every untrusted string (`html` tag).
 */

import { formatCiPp, formatP, formatPp } from "../analysis/headline.js";
import {
  PAIRED_TEST_HEADER,
  PAIRED_TEST_NOTE,
  type PairedTest,
  pairedTestCells,
} from "../analysis/paired-tests.js";
import { unscoredWarning } from "../analysis/unscored-warning.js";
import { html, joinHtml, type SafeHtml, trustedHtml } from "./escape.js";
import { taskLabel } from "./figures.js";
import { BELIEF_TEXT, DASH, fmtCi, fmtInt, fmtNum, fmtP, fmtPp, fmtRate } from "./format.js";
import { languagesHtml } from "./language-section.js";
import type { ReportData, Section, WorstCase } from "./model.js";
import { pressureHtml } from "./pressure-section.js";
import { ruleCheckHtml } from "./rule-check-section.js";
import { trajectoryHtml } from "./trajectory.js";
import { warmthErrorHtml } from "./warmth-error-chart.js";

export interface Figures {
  rates?: string;
  contexts?: string;
  sycophancy?: string;
  warmth?: string;
  trajectory?: string;
}

export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export const STYLE = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#fff; --soft:#f6f8fa; --bad:#c92a2a; --good:#2b8a3e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; } h2 { font-size: 1.3rem; margin: 36px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
.meta, .note, .na { color: var(--muted); font-size: 0.9rem; }
.warning { color: #9a3412; font-weight: 600; }
.na { background: var(--soft); border-left: 4px solid var(--line); padding: 8px 12px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.9rem; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
nav ol { columns: 2; font-size: 0.9rem; }
.figure { overflow-x: auto; margin: 8px 0; } .figure svg { max-width: 100%; height: auto; }
.lead { font-size: 1.05rem; background: #fff4e6; border-left: 4px solid #e8590c; padding: 8px 12px; }
.case { border: 1px solid var(--line); border-radius: 6px; margin: 16px 0; padding: 12px; }
.case header { font-size: 0.9rem; color: var(--muted); }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.side { border: 1px solid var(--line); border-radius: 4px; padding: 8px; background: var(--soft); min-width: 0; }
.side h4 { margin: 0 0 6px; font-size: 0.95rem; }
pre.text { white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; margin: 4px 0; background: #fff; border: 1px solid var(--line); padding: 6px; max-height: 420px; overflow: auto; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 0.8rem; font-weight: 600; color: #fff; background: #868e96; }
.badge.CORRECT { background: var(--good); } .badge.INCORRECT { background: var(--bad); } .badge.REFUSAL { background: #5f3dc4; }
details summary { cursor: pointer; color: var(--muted); }
@media (max-width: 760px) { .pair { grid-template-columns: 1fr; } nav ol { columns: 1; } }
`;

function na(section: { available: false; reason: string }): SafeHtml {
  return html`<p class="na" data-na>No data in this run: ${section.reason}</p>`;
}

function notes(section: Section<unknown>): SafeHtml {
  if (!section.available || !section.notes) return html``;
  return joinHtml(section.notes.map((n) => html`<p class="note">${n}</p>`));
}

function figure(svg: string | undefined, label: string): SafeHtml {
  if (!svg) return html``;
  // SVG produced by vega from candor's own specs (text inside it is escaped by vega).
  return html`<div class="figure" role="img" aria-label="${label}">${trustedHtml(svg)}</div>`;
}

const num = (s: string) => html`<td class="num">${s}</td>`;
const badge = (label: string | null) =>
  label
    ? html`<span class="badge ${label}">${label}</span>`
    : html`<span class="badge">unjudged</span>`;

function runSection(d: ReportData): SafeHtml {
  const r = d.run;
  const t = r.totals;
  return html`<section id="run">
<p class="meta">Run <code>${r.dir}</code> · created ${r.createdAt ?? DASH} · report generated ${r.generatedAt} · judge <code>${r.judge}</code></p>
${(r.judgeNotes ?? []).map((n) => html`<p class="${n.warning ? "warning" : "note"}" data-judge-note>${n.text}</p>`)}
<table><thead><tr><th>subject</th><th>model</th><th>persona</th><th>role</th></tr></thead><tbody>
${r.subjects.map(
  (s) =>
    html`<tr><td>${s.id}</td><td><code>${s.model}</code></td><td>${s.persona ?? DASH}</td><td>${roleText(d, s.id)}</td></tr>`,
)}
</tbody></table>
${
  r.datasets.length > 0
    ? html`<table><thead><tr><th>task</th><th>items</th><th>source</th><th>sha256</th></tr></thead><tbody>${r.datasets.map(
        (ds) =>
          html`<tr><td>${taskLabel(ds.task)}</td>${num(`${fmtInt(ds.items)} of ${fmtInt(ds.total)}`)}<td><code>${ds.source}</code></td><td><code>${ds.sha256}</code></td></tr>`,
      )}</tbody></table>`
    : html``
}
${r.wrongBeliefs && r.wrongBeliefs.length > 0 ? html`<p class="meta">Wrong beliefs: ${r.wrongBeliefs.join(" · ")}</p>` : html``}
${(r.engine ?? []).map((e) => html`<p class="meta" data-engine>Embedded engine: ${e}</p>`)}
<p class="meta">Tasks: ${r.tasks.map(taskLabel).join(", ")} · ${fmtInt(t.trials)} trials · ${fmtInt(t.responses)} responses · ${fmtInt(t.judged)} judged · ${fmtInt(t.unparseable)} unparseable verdicts · failures: ${fmtInt(t.generateFailures)} generation, ${fmtInt(t.judgeFailures)} judging</p>
${unscoredWarning(t) !== undefined ? html`<p class="warning">${unscoredWarning(t)}</p>` : html``}
</section>`;
}

function roleText(d: ReportData, id: string): string {
  const refs = d.run.compare.filter((c) => c.reference === id).map((c) => c.treatment);
  const treats = d.run.compare.filter((c) => c.treatment === id).map((c) => c.reference);
  const parts: string[] = [];
  if (refs.length) parts.push(`reference for ${refs.join(", ")}`);
  if (treats.length) parts.push(`treatment vs ${treats.join(", ")}`);
  return parts.join("; ") || DASH;
}

const GROUP_TEXT: Record<string, string> = {
  no_belief: "no user belief",
  user_belief: "user states a belief",
};

/** The lead sentences (the same words as summary.json and the terminal), the pooled table they come from, then Model 1. */
function headlineSection(d: ReportData): SafeHtml {
  const title = html`<h2>Headline: the error gap</h2>`;
  const lead = d.lead;
  const pooled = lead.available
    ? html`${lead.data.headlines.map((h) => html`<p class="lead" data-lead>${h.sentence}</p>`)}
<table data-pooled><thead><tr><th>treatment</th><th>reference</th><th>belief</th><th>reference error</th><th>treatment error</th><th>gap</th><th>95% CI (item-clustered)</th><th>p (clustered)</th><th>items</th></tr></thead><tbody>
${lead.data.headlines.flatMap((h) =>
  h.gaps.map(
    (g) =>
      html`<tr data-pooled-row="${h.treatment}|${g.beliefGroup}"><td>${h.treatment}</td><td>${h.reference}</td><td>${GROUP_TEXT[g.beliefGroup] ?? g.beliefGroup}</td>${num(fmtRate(g.referenceErrorRate))}${num(fmtRate(g.treatmentErrorRate))}${num(`${formatPp(g.differencePp)} pp`)}${num(formatCiPp(g.ci95Pp).replace("95% CI ", ""))}${num(formatP(g.p).replace(/^p = /, ""))}${num(fmtInt(g.items))}</tr>`,
  ),
)}
</tbody></table>${notes(lead)}`
    : na(lead);
  const s = d.headline;
  const studyComparable = lead.available
    ? lead.data.studyComparable.map((x) => html`<p data-study-comparable>${x.sentence}</p>`)
    : [];
  const model1 = s.available
    ? html`${studyComparable}
<table><thead><tr><th>treatment</th><th>reference</th><th>task</th><th>reference error</th><th>treatment error</th><th>gap (pp)</th><th>95% CI</th><th>p</th><th>McNemar p</th><th>N</th></tr></thead><tbody>
${s.data.map(
  (r) =>
    html`<tr data-headline="${r.comparison}|${r.task}"><td>${r.comparison}</td><td>${r.reference}</td><td>${taskLabel(r.task)}</td>${num(fmtRate(r.referenceRate))}${num(fmtRate(r.treatmentRate))}${num(fmtPp(r.estimate))}${num(fmtCi(r.ciLower, r.ciUpper))}${num(fmtP(r.p))}${num(fmtP(r.mcnemarP))}${num(fmtInt(r.n))}</tr>`,
)}
</tbody></table>${notes(s)}`
    : na(s);
  return html`<section id="headline">${title}
${pooled}
<h3>Study-comparable: Model 1 (unmodified context, no user belief)</h3>
${model1}</section>`;
}

function ratesSection(d: ReportData, figs: Figures): SafeHtml {
  const s = d.rates;
  const title = html`<h2>Error rates by task and subject</h2>`;
  if (!s.available) return html`<section id="rates">${title}${na(s)}</section>`;
  return html`<section id="rates">${title}
${figure(figs.rates, "Error rate per task and subject, with and without a stated user belief, Wilson 95% CIs")}
<details><summary>Table</summary><table><thead><tr><th>subject</th><th>task</th><th>belief</th><th>error rate</th><th>95% CI</th><th>N</th></tr></thead><tbody>
${s.data.map(
  (r) =>
    html`<tr><td>${r.subject}</td><td>${taskLabel(r.task)}</td><td>${r.beliefGroup === "no_belief" ? "no user belief" : "user states a belief"}</td>${num(fmtRate(r.errorRate))}${num(`[${fmtRate(r.ciLower)}, ${fmtRate(r.ciUpper)}]`)}${num(fmtInt(r.n))}</tr>`,
)}</tbody></table></details>
<p class="note">Error rate = INCORRECT / (CORRECT + INCORRECT) over all contexts; refusals excluded except on Disinfo, where declining counts as correct. Wilson 95% intervals.</p>
</section>`;
}

function contextsSection(d: ReportData, figs: Figures): SafeHtml {
  const s = d.contexts;
  const title = html`<h2>Interpersonal context (Model 3)</h2>`;
  if (!s.available) return html`<section id="contexts">${title}${na(s)}</section>`;
  return html`<section id="contexts">${title}
${figure(figs.contexts, "Forest plot: treatment effect per interpersonal context with 95% CIs")}
<table><thead><tr><th>treatment</th><th>context</th><th>effect (pp)</th><th>95% CI</th><th>p</th><th>p vs unmodified</th><th>N</th></tr></thead><tbody>
${s.data.map(
  (r) =>
    html`<tr><td>${r.comparison}</td><td>${r.context}</td>${num(fmtPp(r.estimate))}${num(fmtCi(r.ciLower, r.ciUpper))}${num(fmtP(r.p))}${num(fmtP(r.pVsUnmodified))}${num(fmtInt(r.n))}</tr>`,
)}</tbody></table>${notes(s)}</section>`;
}

function sycophancySection(d: ReportData, figs: Figures): SafeHtml {
  const s = d.sycophancy;
  const title = html`<h2>Sycophancy: the gap with a stated user belief (Model 4)</h2>`;
  if (!s.available) return html`<section id="sycophancy">${title}${na(s)}</section>`;
  return html`<section id="sycophancy">${title}
${figure(figs.sycophancy, "Treatment effect without vs with a stated user belief, per task, with 95% CIs")}
<table><thead><tr><th>treatment</th><th>task</th><th>gap without belief (pp)</th><th>95% CI</th><th>gap with belief (pp)</th><th>95% CI</th><th>difference (pp)</th><th>p</th></tr></thead><tbody>
${s.data.map(
  (r) =>
    html`<tr><td>${r.comparison}</td><td>${taskLabel(r.task)}</td>${num(fmtPp(r.withoutBelief.estimate))}${num(fmtCi(r.withoutBelief.ciLower, r.withoutBelief.ciUpper))}${num(fmtPp(r.withBelief.estimate))}${num(fmtCi(r.withBelief.ciLower, r.withBelief.ciUpper))}${num(fmtPp(r.difference.estimate))}${num(fmtP(r.difference.p))}</tr>`,
)}</tbody></table>${notes(s)}</section>`;
}

function warmthSection(d: ReportData, figs: Figures): SafeHtml {
  const s = d.warmth;
  const title = html`<h2>Warmth manipulation check</h2>`;
  if (!s.available) return html`<section id="warmth">${title}${na(s)}</section>`;
  return html`<section id="warmth">${title}
${figure(figs.warmth, "Mean warmth score per subject with 95% CIs")}
<table><thead><tr><th>metric</th><th>scorer</th><th>subject</th><th>mean</th><th>95% CI</th><th>SD</th><th>N</th></tr></thead><tbody>
${s.data.rows.map(
  (r) =>
    html`<tr><td>${r.metric}</td><td>${r.scorer}</td><td>${r.subject}</td>${num(fmtNum(r.mean, 4))}${num(r.ciLower === null ? DASH : `[${fmtNum(r.ciLower, 4)}, ${fmtNum(r.ciUpper, 4)}]`)}${num(fmtNum(r.sd, 4))}${num(fmtInt(r.n))}</tr>`,
)}</tbody></table>
${
  s.data.differences.length > 0
    ? html`<h3>Treatment − reference (paired)</h3><table><thead><tr><th>metric</th><th>scorer</th><th>treatment</th><th>reference</th><th>pairs</th><th>difference</th><th>95% CI</th><th>p (warmer)</th><th>Wilcoxon p</th><th>check</th></tr></thead><tbody>
${s.data.differences.map(
  (r) =>
    html`<tr><td>${r.metric}</td><td>${r.scorer}</td><td>${r.treatment}</td><td>${r.reference}</td>${num(fmtInt(r.pairs))}${num(fmtNum(r.estimate, 4))}${num(r.ciLower === null ? DASH : `[${fmtNum(r.ciLower, 4)}, ${fmtNum(r.ciUpper, 4)}]`)}${num(fmtP(r.p))}${num(fmtP(r.wilcoxonP))}<td>${r.warmer ? "warmer" : "NOT measurably warmer"}</td></tr>`,
)}</tbody></table>`
    : html``
}${notes(s)}</section>`;
}

/** Treatment vs reference, paired: the same cells as the terminal's table. */
function pairedTable(tests: readonly PairedTest[], kind: string): SafeHtml {
  if (tests.length === 0) return html``;
  return html`<h3>Treatment vs reference, paired</h3>
<table data-paired="${kind}"><thead><tr>${PAIRED_TEST_HEADER.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${tests.map((t) => {
  const cells = pairedTestCells(t);
  return html`<tr data-paired-row="${t.treatment}|${t.task}">${cells.slice(0, 4).map((c) => html`<td>${c}</td>`)}${cells.slice(4).map(num)}</tr>`;
})}</tbody></table><p class="note">${PAIRED_TEST_NOTE}</p>`;
}

function controlsSection(d: ReportData): SafeHtml {
  const s = d.controls;
  const title = html`<h2>Capabilities and safety</h2>`;
  if (!s.available) return html`<section id="controls">${title}${na(s)}</section>`;
  return html`<section id="controls">${title}
<table><thead><tr><th>task</th><th>subject</th><th>measure</th><th>rate</th><th>95% CI</th><th>N</th><th>excluded</th></tr></thead><tbody>
${s.data.map(
  (r) =>
    html`<tr><td>${r.task}</td><td>${r.subject}</td><td>${r.measure}</td>${num(fmtRate(r.rate))}${num(`[${fmtRate(r.ciLower)}, ${fmtRate(r.ciUpper)}]`)}${num(fmtInt(r.n))}${num(fmtInt(r.excluded))}</tr>`,
)}</tbody></table>${notes(s)}${pairedTable(d.pairedTests.controls, "controls")}</section>`;
}

function flipsSection(d: ReportData): SafeHtml {
  const s = d.flips;
  const title = html`<h2>"Are you sure?" flip rates</h2>`;
  if (!s.available) return html`<section id="flips">${title}${na(s)}</section>`;
  return html`<section id="flips">${title}
<p class="meta">Verdicts from judge <code>${s.data.judge}</code>.</p>
<table><thead><tr><th>subject</th><th>task</th><th>challenged</th><th>correct before</th><th>correct → incorrect</th><th>cave rate</th><th>95% CI</th><th>incorrect → correct</th><th>apologised, kept answer</th><th>unchanged</th></tr></thead><tbody>
${s.data.rows.map(
  (r) =>
    html`<tr><td>${r.subject}</td><td>${taskLabel(r.task)}</td>${num(fmtInt(r.challenged))}${num(fmtInt(r.correctBefore))}${num(fmtInt(r.correctToIncorrect))}${num(fmtRate(r.caveRate))}${num(r.caveCi ? `[${fmtRate(r.caveCi[0])}, ${fmtRate(r.caveCi[1])}]` : DASH)}${num(fmtInt(r.incorrectToCorrect))}${num(fmtInt(r.apologisedKept))}${num(fmtInt(r.unchanged))}</tr>`,
)}</tbody></table>${notes(s)}${pairedTable(d.pairedTests.cave, "cave")}</section>`;
}

function judgeSection(d: ReportData): SafeHtml {
  const s = d.judgeCheck;
  const title = html`<h2>Judge agreement with human labels</h2>`;
  if (!s.available) return html`<section id="judge">${title}${na(s)}</section>`;
  const cell = (v: unknown) =>
    typeof v === "number"
      ? num(Number.isInteger(v) ? fmtInt(v) : fmtNum(v, 3))
      : html`<td>${v === null ? DASH : String(v)}</td>`;
  return html`<section id="judge">${title}
<table><tbody>${s.data.facts.map((f) => html`<tr><th>${f.key}</th>${cell(f.value)}</tr>`)}</tbody></table>
${s.data.tables.map((t) => {
  const cols = [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
  return html`<h3>${t.key}</h3><table><thead><tr>${cols.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${t.rows.map(
    (r) => html`<tr>${cols.map((c) => cell(r[c] ?? null))}</tr>`,
  )}</tbody></table>`;
})}${notes(s)}</section>`;
}

function caseSide(title: string, side: WorstCase["reference"]): SafeHtml {
  return html`<div class="side" data-side="${title}"><h4>${title}: ${side.subject} ${badge(side.label)}</h4>
<pre dir="auto" class="text response">${side.response}</pre>
<p><strong>Judge rationale:</strong></p><pre dir="auto" class="text rationale">${side.rationale ?? DASH}</pre>
<p class="meta">trial <code>${side.trialId}</code></p></div>`;
}

function worstSection(d: ReportData): SafeHtml {
  const s = d.worst;
  const title = html`<h2>Worst cases, side by side</h2>`;
  if (!s.available) return html`<section id="worst">${title}${na(s)}</section>`;
  const counts = Object.entries(s.data.discordant)
    .map(([k, v]) => `${k}: ${fmtInt(v)}`)
    .join(" · ");
  return html`<section id="worst">${title}
<p class="meta">Pairs with the reference correct and the treatment incorrect: ${counts}.</p>${notes(s)}
${s.data.cases.map(
  (c, i) => html`<article class="case" id="case-${i + 1}">
<header>#${i + 1} · treatment <strong>${c.comparison}</strong> · ${taskLabel(c.task)} item <code>${c.itemId}</code> · context <code>${c.context}</code> · ${BELIEF_TEXT[c.belief] ?? c.belief}${c.sample > 0 ? ` · sample ${c.sample}` : ""}</header>
<p><strong>Prompt:</strong></p><pre dir="auto" class="text prompt">${c.prompt}</pre>
<p class="meta">Correct: ${c.correct.join(" | ") || DASH} · Incorrect: ${c.incorrect.join(" | ") || DASH}</p>
<div class="pair">${caseSide("Reference", c.reference)}${caseSide("Treatment", c.treatment)}</div>
</article>`,
)}</section>`;
}

function modelNotes(d: ReportData): SafeHtml {
  const warnings = [
    ...(d.headline.available
      ? d.headline.data.flatMap((r) =>
          r.warnings.map((w) => `Model 1 (${r.comparison}, ${taskLabel(r.task)}): ${w}`),
        )
      : []),
    ...(d.sycophancy.available
      ? d.sycophancy.data.flatMap((r) =>
          r.warnings.map((w) => `Model 4 (${r.comparison}, ${taskLabel(r.task)}): ${w}`),
        )
      : []),
  ];
  if (d.modelFailures.length === 0 && warnings.length === 0) return html``;
  return html`<section id="model-notes"><h2>Model notes</h2><ul>
${d.modelFailures.map((f) => html`<li>${f.model} for ${f.comparison} could not be fitted: ${f.error}</li>`)}
${[...new Set(warnings)].map((w) => html`<li>${w}</li>`)}
</ul></section>`;
}

export function renderHtml(d: ReportData, figs: Figures): string {
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>candor report: ${d.run.name}</title>
<style>${trustedHtml(STYLE)}</style></head>
<body><main>
<h1>candor report: ${d.run.name}</h1>
<p class="meta">Does making the assistant warmer make it less accurate or more sycophantic?</p>
${runSection(d)}
<nav><ol>
<li><a href="#headline">Headline: the error gap</a></li><li><a href="#rates">Error rates by task and subject</a></li>
<li><a href="#contexts">Interpersonal context</a></li><li><a href="#sycophancy">Sycophancy</a></li>
<li><a href="#warmth">Warmth manipulation check</a></li><li><a href="#controls">Capabilities and safety</a></li>
<li><a href="#flips">"Are you sure?" flip rates</a></li><li><a href="#judge">Judge agreement</a></li>
<li><a href="#rule-check">Judge vs rule</a></li><li><a href="#pressure">Pressure over turns</a></li>
<li><a href="#warmth-error">Warmth vs error</a></li>
<li><a href="#trajectory">Warmth across checkpoints</a></li><li><a href="#worst">Worst cases</a></li>
</ol></nav>
${headlineSection(d)}
${ratesSection(d, figs)}
${contextsSection(d, figs)}
${sycophancySection(d, figs)}
${warmthSection(d, figs)}
${controlsSection(d)}
${flipsSection(d)}
${judgeSection(d)}
${ruleCheckHtml(d.ruleCheck)}
${pressureHtml(d.pressure)}
${warmthErrorHtml(d.warmthError)}
${languagesHtml(d.languages)}
${trajectoryHtml(d.trajectory, figure(figs.trajectory, "Mean SocioT warmth per checkpoint with 95% CIs"), na)}
${worstSection(d)}
${modelNotes(d)}
<footer class="meta"><p>Generated by candor. Model responses, judge rationales and dataset text are shown as untrusted plain text.</p></footer>
</main></body></html>
`;
  return page.value;
}
