/**
 * Warmth across fine-tuning checkpoints (issue: candor tune): the JSON that
 * `candor tune trajectory` writes, shown by `candor report --trajectory <file>`.
 */
import { readFileSync } from "node:fs";
import type { TopLevelSpec } from "vega-lite";
import { z } from "zod";
import { DataError } from "../errors.js";
import { html, mdText, type SafeHtml } from "./escape.js";
import { DASH, fmtInt, fmtNum } from "./format.js";
import { type Section, unavailable } from "./section.js";

const pointSchema = z.object({
  label: z.string(),
  epoch: z.number(),
  model: z.string(),
  n: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  mean: z.number().nullable(),
  sem: z.number().nullable(),
});

export const trajectoryFileSchema = z.object({
  job: z.string(),
  scorer: z.string(),
  form: z.enum(["reference", "strict"]),
  prompts: z.number().int().nonnegative(),
  points: z.array(pointSchema).min(1),
  createdAt: z.string(),
});

export type TrajectoryData = z.infer<typeof trajectoryFileSchema>;

export const NO_TRAJECTORY =
  "no warmth trajectory given: run `candor tune trajectory <job> --data <export> --out trajectory.json`, then `candor report <run> --trajectory trajectory.json`";

export function loadTrajectory(file: string | undefined): Section<TrajectoryData> {
  if (file === undefined) return unavailable(NO_TRAJECTORY);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new DataError(
      file,
      undefined,
      `a trajectory JSON from candor tune trajectory (${(err as Error).message})`,
    );
  }
  const parsed = trajectoryFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DataError(
      file,
      issue.path.join("."),
      `a trajectory JSON from candor tune trajectory: ${issue.message}`,
    );
  }
  return { available: true, data: parsed.data };
}

export function trajectorySpec(d: TrajectoryData): TopLevelSpec {
  const values = d.points
    .filter((p) => p.mean !== null)
    .map((p) => ({
      epoch: p.epoch,
      label: p.label,
      mean: p.mean,
      lo: p.mean! - 1.96 * (p.sem ?? 0),
      hi: p.mean! + 1.96 * (p.sem ?? 0),
    }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values },
    width: 420,
    height: 220,
    encoding: { x: { field: "epoch", type: "quantitative", title: "epoch" } },
    layer: [
      {
        mark: { type: "rule", color: "#495057" },
        encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
      },
      {
        mark: { type: "line", point: { filled: true, size: 50 }, color: "#e8590c" },
        encoding: {
          y: { field: "mean", type: "quantitative", title: `SocioT warmth (${d.form})` },
        },
      },
    ],
  };
}

function num(s: string): SafeHtml {
  return html`<td class="num">${s}</td>`;
}

export function trajectoryHtml(
  s: Section<TrajectoryData>,
  figure: SafeHtml,
  na: (x: { available: false; reason: string }) => SafeHtml,
): SafeHtml {
  const title = html`<h2>Warmth across fine-tuning checkpoints</h2>`;
  if (!s.available) return html`<section id="trajectory">${title}${na(s)}</section>`;
  const d = s.data;
  return html`<section id="trajectory">${title}
<p class="meta">Job <code>${d.job}</code> · scorer <code>${d.scorer}</code> (${d.form} form) · ${fmtInt(d.prompts)} prompts per checkpoint. The study saw warmth rise over the first two epochs, then plateau.</p>
${figure}
<table><thead><tr><th>checkpoint</th><th>epoch</th><th>model</th><th>mean</th><th>SEM</th><th>N</th><th>failed</th></tr></thead><tbody>
${d.points.map(
  (p) =>
    html`<tr><td>${p.label}</td>${num(fmtNum(p.epoch, 1))}<td><code>${p.model}</code></td>${num(fmtNum(p.mean, 4))}${num(p.sem === null ? DASH : fmtNum(p.sem, 4))}${num(fmtInt(p.n))}${num(fmtInt(p.failed))}</tr>`,
)}</tbody></table></section>`;
}

export function trajectoryMarkdown(s: Section<TrajectoryData>): string[] {
  const out = ["## Warmth across fine-tuning checkpoints", ""];
  if (!s.available) return [...out, `_No data in this run: ${mdText(s.reason)}_`, ""];
  const d = s.data;
  out.push(
    `Job ${mdText(d.job)}, scorer ${mdText(d.scorer)} (${d.form} form), ${d.prompts} prompts per checkpoint.`,
    "",
    "| checkpoint | epoch | mean | SEM | N | failed |",
    "|---|---:|---:|---:|---:|---:|",
    ...d.points.map(
      (p) =>
        `| ${mdText(p.label)} | ${fmtNum(p.epoch, 1)} | ${fmtNum(p.mean, 4)} | ${p.sem === null ? DASH : fmtNum(p.sem, 4)} | ${p.n} | ${p.failed} |`,
    ),
    "",
  );
  return out;
}
