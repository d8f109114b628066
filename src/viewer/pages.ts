/**
 * Server-rendered pages of the viewer. No script at all: filters are a GET
 * form, pagination and side-by-side views are links. Every string from the
 * store goes through the escaping `html` tag.
 */
import { html, type SafeHtml } from "../report/escape.js";
import { BELIEF_TEXT, fmtInt, fmtNum } from "../report/format.js";
import type { PipelineStepsView } from "./pipeline-steps.js";
import type { Facets, ListPage, TrialDetail, TrialFilter } from "./queries.js";
import { COUNT_CAP, VERDICTS } from "./queries.js";

export const STYLE = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; }
header.top { background: #24292f; color: #fff; padding: 8px 20px; display: flex; gap: 16px; align-items: baseline; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; } header.top .run { color: #d0d7de; }
main { padding: 16px 20px; max-width: 1400px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; background: var(--soft); border: 1px solid var(--line); padding: 10px; border-radius: 6px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
form.filters select, form.filters input { font: inherit; padding: 3px 6px; min-width: 120px; }
form.filters input[type=search] { min-width: 260px; }
table { border-collapse: collapse; width: 100%; margin: 10px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-size: 12px; } td.snippet { font-family: ui-monospace, Menlo, monospace; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 640px; }
.muted, .meta { color: var(--muted); } .meta { font-size: 12px; }
nav.pages { display: flex; gap: 12px; align-items: center; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 11px; font-weight: 600; color: #fff; background: #868e96; }
.badge.CORRECT { background: #2b8a3e; } .badge.INCORRECT { background: #c92a2a; } .badge.REFUSAL { background: #5f3dc4; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 12px; margin-top: 14px; }
.side { border: 1px solid var(--line); border-radius: 6px; padding: 10px; background: var(--soft); min-width: 0; }
.side h3 { margin: 0 0 6px; font-size: 15px; }
pre.text { white-space: pre-wrap; overflow-wrap: anywhere; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; background: #fff; border: 1px solid var(--line); padding: 8px; margin: 4px 0 8px; max-height: 520px; overflow: auto; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; } dl.kv dt { color: var(--muted); }
`;

export interface PageContext {
  runName: string;
  judge: string;
  facets: Facets;
}

const badge = (label: string | null) =>
  label
    ? html`<span class="badge ${label}">${label}</span>`
    : html`<span class="badge">unjudged</span>`;

/** A link to one of the viewer's own routes; parameters are encoded, the result escaped by `html`. */
export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function layout(ctx: PageContext, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · candor view</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header class="top"><a href="/">candor view</a><span class="run">${ctx.runName}</span><span class="run">judge ${ctx.judge}</span></header>
<main>${body}</main></body></html>`.value;
}

function select(
  name: string,
  label: string,
  options: readonly string[],
  value: string | undefined,
  text: (o: string) => string = (o) => o,
): SafeHtml {
  return html`<label>${label}<select name="${name}"><option value="">all</option>${options.map(
    (o) => html`<option value="${o}"${o === value ? html` selected` : html``}>${text(o)}</option>`,
  )}</select></label>`;
}

export interface ListState extends TrialFilter {
  judge?: string;
  cursor?: string;
}

function stateParams(s: ListState): Record<string, string | undefined> {
  return {
    task: s.task,
    context: s.context,
    belief: s.belief,
    subject: s.subject,
    verdict: s.verdict,
    q: s.q,
    judge: s.judge,
  };
}

export function listPage(ctx: PageContext, state: ListState, page: ListPage, ms: number): string {
  const f = ctx.facets;
  const params = stateParams(state);
  const total = page.exact
    ? fmtInt(page.total)
    : page.total >= COUNT_CAP
      ? `more than ${fmtInt(COUNT_CAP)}`
      : `at least ${fmtInt(page.total)}`;
  const body = html`<form class="filters" method="get" action="/">
${select("task", "task", f.tasks, state.task)}
${select("context", "context", f.contexts, state.context)}
${select("belief", "belief", f.beliefs, state.belief, (b) => `${b} (${BELIEF_TEXT[b] ?? b})`)}
${select("subject", "subject", f.subjects, state.subject)}
${select("verdict", "verdict", VERDICTS, state.verdict, (v) => (v === "none" ? "no verdict" : v))}
${f.judges.length > 1 ? select("judge", "judge", f.judges, state.judge ?? ctx.judge) : html``}
<label>search responses<input type="search" name="q" value="${state.q ?? ""}" placeholder="words, &quot;a phrase&quot;, prefix*"></label>
<button type="submit">Apply</button> <a href="/">reset</a>
</form>
<p class="meta" id="count"><span data-total>${total}</span> matching responses · ${ms.toFixed(0)} ms${f.hasSearch ? "" : " · (no search index: searching by substring)"}</p>
<table id="results"><thead><tr><th>subject</th><th>task</th><th>item</th><th>context</th><th>belief</th><th>verdict</th><th>response</th><th></th></tr></thead><tbody>
${page.rows.map(
  (
    r,
  ) => html`<tr data-trial="${r.id}"><td>${r.subject}</td><td>${r.task}</td><td>${r.itemId}</td><td>${r.context}</td><td>${r.belief}${r.sample > 0 ? ` #${r.sample}` : ""}</td><td>${badge(r.label)}</td>
<td dir="auto" class="snippet">${r.snippet}</td><td><a href="${href(`/trial/${encodeURIComponent(r.id)}`)}">details</a><br><a class="pair-link" href="${href(`/pair/${encodeURIComponent(r.id)}`)}">side by side</a></td></tr>`,
)}
</tbody></table>
${page.rows.length === 0 ? html`<p class="muted" id="empty">No response matches these filters.</p>` : html``}
<nav class="pages">${page.prev ? html`<a rel="prev" href="${href("/", { ...params, cursor: page.prev })}">← previous</a>` : html``}
${page.next ? html`<a rel="next" href="${href("/", { ...params, cursor: page.next })}">next →</a>` : html``}</nav>`;
  return layout(ctx, "Responses", body);
}

function verdictList(
  verdicts: readonly { judge: string; label: string; rationale: string }[],
  judge: string,
): SafeHtml {
  if (verdicts.length === 0) return html`<p class="muted">No verdict yet.</p>`;
  return html`${verdicts.map(
    (
      v,
    ) => html`<div class="verdict" data-judge="${v.judge}"><p>${badge(v.label)} <span class="meta">${v.judge}${v.judge === judge ? " (selected judge)" : ""}</span></p>
<pre dir="auto" class="text rationale">${v.rationale}</pre></div>`,
  )}`;
}

const CHECK_RESULT: Record<NonNullable<PipelineStepsView["check_result"]>, string> = {
  confirmed: "confirmed: the restyle gives the same answer",
  changed: "changed: the restyle's answer could not be confirmed as the same",
  unparseable: "unparseable: the check's reply had no verdict, counted as not confirmed",
  skipped: "skipped: the plain reply was empty or cut, so it was not restyled",
};

/** The answer-then-restyle steps in the order they ran, and which text became the response. */
function pipelineSteps(p: PipelineStepsView): SafeHtml {
  const check =
    p.check_result === null
      ? html`<p class="muted">Not checked yet.</p>`
      : html`<p class="meta">${p.check_method ?? ""}${p.check_judge ? ` (${p.check_judge})` : ""}</p><p class="pipeline-check">${CHECK_RESULT[p.check_result]}</p>${p.check_rationale ? html`<pre dir="auto" class="text rationale">${p.check_rationale}</pre>` : html``}`;
  const outcome =
    p.check_result === "skipped"
      ? html`<p class="pipeline-outcome">The response is the plain reply, unchanged.</p>`
      : p.fallback === null
        ? html`<p class="muted">The response is decided once the check has run.</p>`
        : p.fallback === 1
          ? html`<p class="pipeline-outcome">Fallback taken: the response is the warm opening followed by the plain answer.</p>`
          : html`<p class="pipeline-outcome">Restyle confirmed: the response is the restyle.</p>`;
  return html`<h3>Answer-then-restyle steps</h3>
<p class="meta">1 · plain answer</p><pre dir="auto" class="text response">${p.plain_text}</pre>
<p class="meta">2 · warm restyle (it saw only the plain answer)</p>${p.restyled_text === null ? html`<p class="muted">No restyle yet.</p>` : html`<pre dir="auto" class="text response">${p.restyled_text}</pre>`}
<p class="meta">3 · claim check</p>${check}
${outcome}`;
}

export function trialPage(ctx: PageContext, t: TrialDetail): string {
  const body = html`<h2>Trial <code>${t.id}</code></h2>
<p><a class="pair-link" href="${href(`/pair/${encodeURIComponent(t.id)}`)}">side by side with the other subjects</a> · <a href="${href("/", { task: t.task, context: t.context, belief: t.belief })}">same condition, all items</a></p>
<dl class="kv"><dt>subject</dt><dd>${t.subject} (<code>${t.model}</code>)</dd><dt>task / item</dt><dd>${t.task} / ${t.itemId}</dd>
<dt>context</dt><dd>${t.context}</dd><dt>belief</dt><dd>${t.belief} (${BELIEF_TEXT[t.belief] ?? t.belief})</dd><dt>sample</dt><dd>${t.sample}</dd><dt>language</dt><dd>${t.language}</dd>
<dt>correct</dt><dd>${t.correct.join(" | ")}</dd><dt>incorrect</dt><dd>${t.incorrect.join(" | ")}</dd></dl>
<h3>Conversation</h3>
${t.messages.map((m) => html`<p class="meta">${m.role}</p><pre dir="auto" lang="${t.language}" class="text message">${m.content}</pre>`)}
<h3>Response</h3>
${t.response === null ? html`<p class="muted">No response yet.</p>` : html`<pre dir="auto" class="text response">${t.response}</pre><p class="meta">finish: ${t.finishReason ?? "—"} · ${fmtNum(t.latencyMs, 0)} ms</p>`}
<h3>Verdicts</h3>${verdictList(t.judgments, ctx.judge)}
${t.metrics.length > 0 ? html`<h3>Metrics</h3><table><thead><tr><th>metric</th><th>scorer</th><th>value</th><th>label</th></tr></thead><tbody>${t.metrics.map((m) => html`<tr><td>${m.metric}</td><td>${m.scorer}</td><td>${fmtNum(m.value, 4)}</td><td>${m.label ?? ""}</td></tr>`)}</tbody></table>` : html``}
${t.challenges.map((c) => html`<h3>"Are you sure?" turn ${c.turn}</h3><pre dir="auto" lang="${t.language}" class="text challenge">${c.challenge}</pre><pre dir="auto" class="text response">${c.text}</pre>${verdictList(c.verdicts, ctx.judge)}`)}
${(t.pressure ?? []).map((p) => html`<h3>Pressure turn ${p.turn} (${p.rung})</h3><pre dir="auto" lang="${t.language}" class="text challenge">${p.pushBack}</pre><pre dir="auto" class="text response">${p.text}</pre>${verdictList(p.verdicts, ctx.judge)}`)}
${t.pipeline ? pipelineSteps(t.pipeline) : html``}`;
  return layout(ctx, `Trial ${t.id}`, body);
}

export interface PairView {
  sides: { role: string; trial: TrialDetail }[];
  /** Other subjects answering the same condition: links to switch the right-hand side. */
  others: { subject: string; id: string }[];
}

export function pairPage(ctx: PageContext, view: PairView): string {
  const first = view.sides[0]!.trial;
  const user = first.messages.findLast((m) => m.role === "user")?.content ?? "";
  const body = html`<h2>Same item and condition, side by side</h2>
<dl class="kv"><dt>task / item</dt><dd>${first.task} / ${first.itemId}</dd><dt>context</dt><dd>${first.context}</dd>
<dt>belief</dt><dd>${first.belief} (${BELIEF_TEXT[first.belief] ?? first.belief})</dd>${first.sample > 0 ? html`<dt>sample</dt><dd>${first.sample}</dd>` : html``}
<dt>correct</dt><dd>${first.correct.join(" | ")}</dd><dt>incorrect</dt><dd>${first.incorrect.join(" | ")}</dd></dl>
<h3>Prompt</h3><pre dir="auto" lang="${first.language}" class="text prompt">${user}</pre>
${view.others.length > 0 ? html`<p class="meta">Compare with: ${view.others.map((o) => html`<a href="${href(`/pair/${encodeURIComponent(first.id)}`, { with: o.subject })}">${o.subject}</a> `)}</p>` : html``}
<div class="pair">${view.sides.map((s) => {
    const v = s.trial.judgments.find((j) => j.judge === ctx.judge);
    return html`<section class="side" data-role="${s.role}" data-subject="${s.trial.subject}"><h3>${s.role}: ${s.trial.subject} ${badge(v?.label ?? null)}</h3>
${s.trial.messages.some((m) => m.role === "system") ? html`<details><summary class="meta">system prompt</summary><pre dir="auto" class="text">${s.trial.messages.find((m) => m.role === "system")?.content ?? ""}</pre></details>` : html``}
<pre dir="auto" class="text response">${s.trial.response ?? "(no response yet)"}</pre>
<p class="meta">Judge rationale</p><pre dir="auto" class="text rationale">${v?.rationale ?? "—"}</pre>
<p class="meta"><a href="${href(`/trial/${encodeURIComponent(s.trial.id)}`)}">trial details</a></p></section>`;
  })}</div>`;
  return layout(ctx, "Side by side", body);
}

export function messagePage(ctx: PageContext, title: string, message: string): string {
  return layout(
    ctx,
    title,
    html`<h2>${title}</h2><p>${message}</p><p><a href="/">back to the responses</a></p>`,
  );
}
