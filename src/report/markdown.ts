/**
 * The Markdown summary: the same sections as the HTML report, as tables. All
 * text from the store goes through mdText (inline, escaped) or mdCodeBlock
 * (responses, rationales), so model output cannot become markup.
 */

import { formatCiPp, formatP, formatPp } from "../analysis/headline.js";
import { unscoredWarning } from "../analysis/unscored-warning.js";
import { mdCodeBlock, mdText } from "./escape.js";
import { taskLabel } from "./figures.js";
import { BELIEF_TEXT, DASH, fmtCi, fmtInt, fmtNum, fmtP, fmtPp, fmtRate } from "./format.js";
import { languagesMarkdown } from "./language-section.js";
import { img, mdSentence, pairedMd, section, t, table } from "./markdown-parts.js";
import type { ReportData } from "./model.js";
import { pressureMarkdown } from "./pressure-section.js";
import { ruleCheckMarkdown } from "./rule-check-section.js";
import { trajectoryMarkdown } from "./trajectory.js";
import { warmthErrorMarkdown } from "./warmth-error-chart.js";

export interface MarkdownOptions {
  /** Relative paths of figure files written beside the summary. */
  figures?: { rates?: string; contexts?: string; sycophancy?: string; warmth?: string };
  /** Worst cases to include in full (the HTML report has all of them). */
  cases?: number;
}

export function renderMarkdown(d: ReportData, opts: MarkdownOptions = {}): string {
  const r = d.run;
  const figs = opts.figures ?? {};
  const out: string[] = [
    `# candor report: ${mdText(r.name)}`,
    "",
    `Run ${mdText(r.dir)}, created ${t(r.createdAt)}, report generated ${t(r.generatedAt)}; judge ${mdText(r.judge)}.`,
    ...(r.judgeNotes ?? []).flatMap((n) => [
      "",
      `${n.warning ? "**Warning.** " : ""}${mdText(n.text)}`,
    ]),
    "",
    table(
      ["subject", "model", "persona"],
      r.subjects.map((s) => [t(s.id), t(s.model), t(s.persona)]),
    ),
    "",
    `${fmtInt(r.totals.trials)} trials, ${fmtInt(r.totals.responses)} responses, ${fmtInt(r.totals.judged)} judged, ${fmtInt(r.totals.unparseable)} unparseable verdicts.`,
    "",
    ...(unscoredWarning(r.totals) !== undefined
      ? [mdText(unscoredWarning(r.totals) ?? ""), ""]
      : []),
  ];
  if (r.wrongBeliefs && r.wrongBeliefs.length > 0)
    out.push(`Wrong beliefs: ${r.wrongBeliefs.map(t).join(" · ")}`, "");
  for (const e of r.engine ?? []) out.push(`Embedded engine: ${t(e)}`, "");
  if (r.datasets.length > 0) {
    out.push(
      table(
        ["task", "items", "source", "sha256"],
        r.datasets.map((ds) => [
          t(ds.task),
          `${fmtInt(ds.items)} of ${fmtInt(ds.total)}`,
          t(ds.source),
          t(ds.sha256),
        ]),
      ),
      "",
    );
  }

  out.push(
    ...section("Headline: the error gap", d.lead, () => {
      if (!d.lead.available) return [];
      return [
        ...d.lead.data.headlines.flatMap((h) => [mdSentence(h.sentence), ""]),
        table(
          [
            "treatment",
            "reference",
            "belief",
            "reference error",
            "treatment error",
            "gap",
            "95% CI (item-clustered)",
            "p (clustered)",
            "items",
          ],
          d.lead.data.headlines.flatMap((h) =>
            h.gaps.map((g) => [
              t(h.treatment),
              t(h.reference),
              g.beliefGroup === "no_belief" ? "no user belief" : "user states a belief",
              fmtRate(g.referenceErrorRate),
              fmtRate(g.treatmentErrorRate),
              t(`${formatPp(g.differencePp)} pp`),
              t(formatCiPp(g.ci95Pp).replace("95% CI ", "")),
              t(formatP(g.p).replace(/^p = /, "")),
              fmtInt(g.items),
            ]),
          ),
        ),
      ];
    }),
  );

  out.push(
    ...section("Study-comparable: Model 1 (unmodified context, no user belief)", d.headline, () => {
      if (!d.headline.available) return [];
      return [
        ...(d.lead.available
          ? d.lead.data.studyComparable.flatMap((x) => [mdSentence(x.sentence), ""])
          : []),
        table(
          [
            "treatment",
            "reference",
            "task",
            "reference error",
            "treatment error",
            "gap (pp)",
            "95% CI",
            "p",
            "McNemar p",
            "N",
          ],
          d.headline.data.map((h) => [
            t(h.comparison),
            t(h.reference),
            t(taskLabel(h.task)),
            fmtRate(h.referenceRate),
            fmtRate(h.treatmentRate),
            t(fmtPp(h.estimate)),
            t(fmtCi(h.ciLower, h.ciUpper)),
            t(fmtP(h.p)),
            t(fmtP(h.mcnemarP)),
            fmtInt(h.n),
          ]),
        ),
      ];
    }),
  );

  out.push(
    ...section("Error rates by task and subject", d.rates, () => {
      if (!d.rates.available) return [];
      return [
        ...img("Error rate per task and subject", figs.rates),
        table(
          ["subject", "task", "belief", "error rate", "95% CI", "N"],
          d.rates.data.map((x) => [
            t(x.subject),
            t(taskLabel(x.task)),
            x.beliefGroup === "no_belief" ? "no user belief" : "user states a belief",
            fmtRate(x.errorRate),
            t(`[${fmtRate(x.ciLower)}, ${fmtRate(x.ciUpper)}]`),
            fmtInt(x.n),
          ]),
        ),
        ...pairedMd(d.pairedTests.controls),
      ];
    }),
  );

  out.push(
    ...section("Interpersonal context (Model 3)", d.contexts, () => {
      if (!d.contexts.available) return [];
      return [
        ...img("Treatment effect per context", figs.contexts),
        table(
          ["treatment", "context", "effect (pp)", "95% CI", "p", "p vs unmodified", "N"],
          d.contexts.data.map((x) => [
            t(x.comparison),
            t(x.context),
            t(fmtPp(x.estimate)),
            t(fmtCi(x.ciLower, x.ciUpper)),
            t(fmtP(x.p)),
            t(fmtP(x.pVsUnmodified)),
            fmtInt(x.n),
          ]),
        ),
      ];
    }),
  );

  out.push(
    ...section("Sycophancy: the gap with a stated user belief (Model 4)", d.sycophancy, () => {
      if (!d.sycophancy.available) return [];
      return [
        ...img("Treatment effect without vs with a user belief", figs.sycophancy),
        table(
          [
            "treatment",
            "task",
            "gap without belief (pp)",
            "95% CI",
            "gap with belief (pp)",
            "95% CI",
            "difference (pp)",
            "p",
          ],
          d.sycophancy.data.map((x) => [
            t(x.comparison),
            t(taskLabel(x.task)),
            t(fmtPp(x.withoutBelief.estimate)),
            t(fmtCi(x.withoutBelief.ciLower, x.withoutBelief.ciUpper)),
            t(fmtPp(x.withBelief.estimate)),
            t(fmtCi(x.withBelief.ciLower, x.withBelief.ciUpper)),
            t(fmtPp(x.difference.estimate)),
            t(fmtP(x.difference.p)),
          ]),
        ),
      ];
    }),
  );

  out.push(
    ...section("Warmth manipulation check", d.warmth, () => {
      if (!d.warmth.available) return [];
      const w = d.warmth.data;
      return [
        ...img("Mean warmth score per subject", figs.warmth),
        table(
          ["metric", "scorer", "subject", "mean", "95% CI", "N"],
          w.rows.map((x) => [
            t(x.metric),
            t(x.scorer),
            t(x.subject),
            t(fmtNum(x.mean, 4)),
            t(x.ciLower === null ? DASH : `[${fmtNum(x.ciLower, 4)}, ${fmtNum(x.ciUpper, 4)}]`),
            fmtInt(x.n),
          ]),
        ),
        ...(w.differences.length > 0
          ? [
              "",
              table(
                [
                  "metric",
                  "scorer",
                  "treatment",
                  "reference",
                  "pairs",
                  "difference",
                  "95% CI",
                  "p (warmer)",
                  "check",
                ],
                w.differences.map((x) => [
                  t(x.metric),
                  t(x.scorer),
                  t(x.treatment),
                  t(x.reference),
                  fmtInt(x.pairs),
                  t(fmtNum(x.estimate, 4)),
                  t(
                    x.ciLower === null
                      ? DASH
                      : `[${fmtNum(x.ciLower, 4)}, ${fmtNum(x.ciUpper, 4)}]`,
                  ),
                  t(fmtP(x.p)),
                  x.warmer ? "warmer" : "NOT measurably warmer",
                ]),
              ),
            ]
          : []),
      ];
    }),
  );

  out.push(
    ...section("Capabilities and safety", d.controls, () => {
      if (!d.controls.available) return [];
      return [
        table(
          ["task", "subject", "measure", "rate", "95% CI", "N"],
          d.controls.data.map((x) => [
            t(x.task),
            t(x.subject),
            t(x.measure),
            fmtRate(x.rate),
            t(`[${fmtRate(x.ciLower)}, ${fmtRate(x.ciUpper)}]`),
            fmtInt(x.n),
          ]),
        ),
      ];
    }),
  );

  out.push(
    ...section('"Are you sure?" flip rates', d.flips, () => {
      if (!d.flips.available) return [];
      return [
        table(
          [
            "subject",
            "task",
            "challenged",
            "correct before",
            "correct → incorrect",
            "cave rate",
            "95% CI",
            "incorrect → correct",
            "apologised, kept answer",
          ],
          d.flips.data.rows.map((x) => [
            t(x.subject),
            t(taskLabel(x.task)),
            fmtInt(x.challenged),
            fmtInt(x.correctBefore),
            fmtInt(x.correctToIncorrect),
            fmtRate(x.caveRate),
            t(x.caveCi ? `[${fmtRate(x.caveCi[0])}, ${fmtRate(x.caveCi[1])}]` : DASH),
            fmtInt(x.incorrectToCorrect),
            fmtInt(x.apologisedKept),
          ]),
        ),
        ...pairedMd(d.pairedTests.cave),
      ];
    }),
  );

  out.push(
    ...section("Judge agreement with human labels", d.judgeCheck, () => {
      if (!d.judgeCheck.available) return [];
      const j = d.judgeCheck.data;
      const lines = [
        table(
          ["measure", "value"],
          j.facts.map((f) => [
            t(f.key),
            t(
              typeof f.value === "number" && !Number.isInteger(f.value)
                ? fmtNum(f.value, 3)
                : String(f.value),
            ),
          ]),
        ),
      ];
      for (const tb of j.tables) {
        const cols = [...new Set(tb.rows.flatMap((r) => Object.keys(r)))];
        lines.push(
          "",
          `### ${mdText(tb.key)}`,
          "",
          table(
            cols,
            tb.rows.map((r) => cols.map((c) => t(r[c] === undefined ? null : String(r[c])))),
          ),
        );
      }
      return lines;
    }),
  );

  out.push(...ruleCheckMarkdown(d.ruleCheck, t, table));
  out.push(...pressureMarkdown(d.pressure, t, table));
  out.push(...warmthErrorMarkdown(d.warmthError, t, table, mdSentence));
  out.push(...languagesMarkdown(d.languages, t, table));
  out.push(
    ...trajectoryMarkdown(d.trajectory),
    ...section("Worst cases, side by side", d.worst, () => {
      if (!d.worst.available) return [];
      const cases = d.worst.data.cases.slice(0, opts.cases ?? 6);
      const lines = [
        `Pairs with the reference correct and the treatment incorrect: ${Object.entries(
          d.worst.data.discordant,
        )
          .map(([k, v]) => `${mdText(k)} ${fmtInt(v)}`)
          .join(
            ", ",
          )}. ${cases.length} shown here; the HTML report has ${d.worst.data.cases.length}.`,
        "",
      ];
      cases.forEach((c, i) => {
        lines.push(
          `### ${i + 1}. ${mdText(taskLabel(c.task))} item ${mdText(c.itemId)}, ${mdText(c.context)}, ${mdText(BELIEF_TEXT[c.belief] ?? c.belief)} (treatment ${mdText(c.comparison)})`,
          "",
          "Prompt:",
          "",
          mdCodeBlock(c.prompt),
          "",
          `Correct: ${c.correct.map((a) => mdText(a)).join(" · ") || DASH}. Incorrect: ${c.incorrect.map((a) => mdText(a)).join(" · ") || DASH}.`,
          "",
        );
        for (const [title, side] of [
          ["Reference", c.reference],
          ["Treatment", c.treatment],
        ] as const) {
          lines.push(
            `**${title}: ${mdText(side.subject)}, judged ${mdText(side.label ?? "unjudged")}**`,
            "",
            mdCodeBlock(side.response),
            "",
            "Judge rationale:",
            "",
            mdCodeBlock(side.rationale ?? DASH),
            "",
          );
        }
      });
      return lines;
    }),
  );

  if (d.modelFailures.length > 0) {
    out.push("## Model notes", "");
    for (const f of d.modelFailures)
      out.push(`- ${mdText(`${f.model} for ${f.comparison} could not be fitted: ${f.error}`)}`);
    out.push("");
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
