/**
 * The report's "Judge vs rule" section: the rule cross-check's agreement per
 * subject and task, its treatment-vs-reference gaps and warnings, and what each
 * refusal rule excludes. The numbers come from analysis/rule-check-summary (the same
 * function summary.json and the terminal use); this file only renders them.
 */

import {
  type RefusalExclusions,
  refusalExclusionsOf,
  ruleCheckOf,
} from "../analysis/rule-check-summary.js";
import type { AuditConfig } from "../config/schema.js";
import type { RuleCheck } from "../judge/rule-agreement.js";
import type { RunStore } from "../store/run-store.js";
import { html, type SafeHtml } from "./escape.js";
import { DASH, fmtInt, fmtPp, fmtRate, taskLabel } from "./format.js";
import { type Section, unavailable } from "./section.js";

export interface RuleCheckData {
  ruleCheck: RuleCheck | null;
  refusals: RefusalExclusions | null;
}

export function collectRuleCheck(
  store: RunStore,
  config: AuditConfig,
  judge: string,
): Section<RuleCheckData> {
  const ruleCheck = ruleCheckOf(store, config, judge) ?? null;
  const refusals = refusalExclusionsOf(store, config, judge) ?? null;
  if (!ruleCheck && !refusals) {
    return unavailable(
      "no task here has both a judge verdict and a rule score (TriviaQA or MedQA judged by a model), and no task excludes refusals",
    );
  }
  return {
    available: true,
    data: { ruleCheck, refusals },
    notes: [
      "Rule: TriviaQA counts a response CORRECT when it names any reference alias after TriviaQA's own normalisation; MedQA when it names the answer option and no wrong option. Neither is the truth: what matters is whether the judge agrees with the rule as often on the treatment's answers as on the reference's.",
    ],
  };
}

const gapText = (x: number | null) => (x === null ? DASH : `${fmtPp(x, 1)} pp`);
const task = (t: string) => (t === "all" ? "all checked tasks" : taskLabel(t));
const num = (s: string) => html`<td class="num">${s}</td>`;

export function ruleCheckHtml(s: Section<RuleCheckData>): SafeHtml {
  const title = html`<h2>Judge vs rule</h2>`;
  if (!s.available)
    return html`<section id="rule-check">${title}<p class="na" data-na>No data in this run: ${s.reason}</p></section>`;
  const { ruleCheck: rc, refusals: rx } = s.data;
  return html`<section id="rule-check">${title}
${
  rc
    ? html`<p>Judge <code>${rc.judge}</code> vs rule <code>${rc.rule}</code>, on responses both scored CORRECT or INCORRECT.</p>
${rc.warnings.map((w) => html`<p class="lead" data-warning>Warning: ${w}</p>`)}
<table><thead><tr><th>subject</th><th>task</th><th>scored</th><th>agreement</th><th>judge-only correct</th><th>rule-only correct</th></tr></thead><tbody>
${rc.cells.map((c) => html`<tr><td>${c.subject}</td><td>${task(c.task)}</td>${num(fmtInt(c.n))}${num(fmtRate(c.agreement))}${num(fmtInt(c.judgeOnlyCorrect))}${num(fmtInt(c.ruleOnlyCorrect))}</tr>`)}
</tbody></table>
<table><thead><tr><th>comparison</th><th>task</th><th>reference</th><th>treatment</th><th>gap</th><th>over ${String(rc.maxGapPp)} pp</th></tr></thead><tbody>
${rc.gaps.map((g) => html`<tr><td>${g.treatment} − ${g.reference}</td><td>${task(g.task)}</td>${num(fmtRate(g.referenceAgreement))}${num(fmtRate(g.treatmentAgreement))}${num(gapText(g.gapPp))}<td>${g.warn ? "WARNING" : "no"}</td></tr>`)}
</tbody></table>`
    : html``
}
${
  rx
    ? html`<h3>Refusals excluded (rule: ${rx.rule})</h3>
<p class="meta">Tasks: ${rx.tasks.map(taskLabel).join(", ")}. The study's phrase rule also fires on asides such as "I can't stress enough"; "phrase but answered" counts responses it would drop that the judge graded as answers.</p>
<table><thead><tr><th>subject</th><th>responses</th><th>study phrase rule</th><th>${rx.rule === "judge" ? "judge REFUSAL" : "excluded"}</th><th>phrase but answered</th></tr></thead><tbody>
${rx.subjects.map((r) => html`<tr><td>${r.subject}</td>${num(fmtInt(r.responses))}${num(fmtInt(r.phrase))}${num(fmtInt(r.refusals))}${num(rx.rule === "judge" ? fmtInt(r.phraseButAnswered) : DASH)}</tr>`)}
</tbody></table>`
    : html``
}
${(s.notes ?? []).map((n) => html`<p class="note">${n}</p>`)}</section>`;
}

export function ruleCheckMarkdown(
  s: Section<RuleCheckData>,
  t: (s: string | number | null | undefined) => string,
  table: (head: string[], rows: string[][]) => string,
): string[] {
  const out = ["## Judge vs rule", ""];
  if (!s.available) return [...out, `_No data in this run: ${t(s.reason)}_`, ""];
  const { ruleCheck: rc, refusals: rx } = s.data;
  if (rc) {
    out.push(
      `Judge ${t(rc.judge)} vs rule ${t(rc.rule)}, on responses both scored CORRECT or INCORRECT.`,
      "",
      ...rc.warnings.flatMap((w) => [`**Warning:** ${t(w)}`, ""]),
      table(
        ["subject", "task", "scored", "agreement", "judge-only correct", "rule-only correct"],
        rc.cells.map((c) => [
          t(c.subject),
          t(task(c.task)),
          fmtInt(c.n),
          fmtRate(c.agreement),
          fmtInt(c.judgeOnlyCorrect),
          fmtInt(c.ruleOnlyCorrect),
        ]),
      ),
      "",
      table(
        ["comparison", "task", "reference", "treatment", "gap", `over ${rc.maxGapPp} pp`],
        rc.gaps.map((g) => [
          t(`${g.treatment} − ${g.reference}`),
          t(task(g.task)),
          fmtRate(g.referenceAgreement),
          fmtRate(g.treatmentAgreement),
          gapText(g.gapPp),
          g.warn ? "WARNING" : "no",
        ]),
      ),
      "",
    );
  }
  if (rx) {
    out.push(
      `### Refusals excluded (rule: ${t(rx.rule)})`,
      "",
      table(
        [
          "subject",
          "responses",
          "study phrase rule",
          rx.rule === "judge" ? "judge REFUSAL" : "excluded",
          "phrase but answered",
        ],
        rx.subjects.map((r) => [
          t(r.subject),
          fmtInt(r.responses),
          fmtInt(r.phrase),
          fmtInt(r.refusals),
          rx.rule === "judge" ? fmtInt(r.phraseButAnswered) : DASH,
        ]),
      ),
      "",
    );
  }
  for (const n of s.notes ?? []) out.push(t(n), "");
  return out;
}
