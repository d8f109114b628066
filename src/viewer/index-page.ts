/**
 * The index of many runs: one row per run × treatment, sortable by any column through
 * links (no script), each linking to that run's viewer under /runs/<n>/.
 */
import { html } from "../report/escape.js";
import { fmtCi, fmtInt, fmtNum, fmtPp } from "../report/format.js";
import type { IndexRow } from "./index-rows.js";

export const SORT_KEYS = [
  "name",
  "treatment",
  "gap_no_belief",
  "gap_user_belief",
  "pairs",
  "warmth",
  "date",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";

const value = (r: IndexRow, key: SortKey): string | number | null => {
  switch (key) {
    case "name":
      return `${r.name}\u0000${r.path}`;
    case "treatment":
      return `${r.treatment} − ${r.reference}`;
    case "gap_no_belief":
      return r.gapNoBelief;
    case "gap_user_belief":
      return r.gapUserBelief;
    case "pairs":
      return r.pairs;
    case "warmth":
      return r.warmthDiff;
    case "date":
      return r.createdAt;
  }
};

/** Sorted copy; missing values always last, whatever the direction. */
export function sortRows(rows: readonly IndexRow[], key: SortKey, dir: SortDir): IndexRow[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a, key);
    const vb = value(b, key);
    if (va === null || vb === null) return va === null ? (vb === null ? 0 : 1) : -1;
    const c =
      typeof va === "number" && typeof vb === "number"
        ? va - vb
        : String(va).localeCompare(String(vb));
    return sign * c || a.run - b.run;
  });
}

const COLUMNS: { key: SortKey; title: string }[] = [
  { key: "name", title: "run" },
  { key: "treatment", title: "treatment − reference" },
  { key: "gap_no_belief", title: "gap, no belief (pp)" },
  { key: "gap_user_belief", title: "gap, user belief (pp)" },
  { key: "pairs", title: "pairs" },
  { key: "warmth", title: "warmth (treatment − reference)" },
  { key: "date", title: "date" },
];

function header(key: SortKey, dir: SortDir) {
  return COLUMNS.map((c) => {
    const active = c.key === key;
    const next: SortDir = active && dir === "desc" ? "asc" : "desc";
    const arrow = active ? (dir === "desc" ? " ↓" : " ↑") : "";
    return html`<th${active ? html` aria-sort="${dir === "desc" ? "descending" : "ascending"}"` : html``}><a data-sort="${c.key}" href="/?sort=${c.key}&amp;dir=${next}">${c.title}${arrow}</a></th>`;
  });
}

function gap(g: number | null, ci: [number, number] | null) {
  return html`<td class="num">${fmtPp(g)}<br><span class="meta">${fmtCi(ci?.[0], ci?.[1])}</span></td>`;
}

export function indexPage(
  root: string,
  rows: readonly IndexRow[],
  key: SortKey,
  dir: SortDir,
): string {
  const body = sortRows(rows, key, dir).map((r) =>
    r.error
      ? html`<tr class="run-row"><td><a href="/runs/${String(r.run)}/">${r.path}</a></td><td colspan="6" class="muted">cannot be read: ${r.error}</td></tr>`
      : html`<tr class="run-row"><td><a href="/runs/${String(r.run)}/">${r.name}</a><br><span class="meta">${r.path}</span></td>
<td>${r.treatment} − ${r.reference}</td>
${gap(r.gapNoBelief, r.ciNoBelief)}${gap(r.gapUserBelief, r.ciUserBelief)}
<td class="num">${fmtInt(r.pairs)}</td>
<td class="num">${r.warmthDiff === null ? "not measured" : html`${fmtNum(r.warmthDiff, 3)}<br><span class="meta">${r.warmthMetric ?? ""}: ${r.warmer ? "measurably warmer" : "not measurably warmer"}</span>`}</td>
<td>${r.createdAt ? r.createdAt.slice(0, 10) : "—"}</td></tr>`,
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>runs · candor view</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header class="top"><a href="/">candor view</a><span class="run">${root}</span></header>
<main><h2>Runs</h2>
<p class="meta">One row per run and treatment. Gaps: treatment − reference error rate pooled over the reliability tasks, in percentage points, with 95% CIs. Click a column to sort.</p>
<table class="runs"><thead><tr>${header(key, dir)}</tr></thead><tbody>
${body.length > 0 ? body : html`<tr><td colspan="7" class="muted">No runs (folders with run.sqlite) here.</td></tr>`}
</tbody></table></main></body></html>`.value;
}
