/**
 * The report's figures as Vega-Lite specs, rendered to static SVG in Node by
 * vega (renderer "none", no canvas, no network: data is always inline and the
 * loader refuses every URL). vega escapes text it writes into SVG; ids are
 * prefixed per figure so several inline SVGs in one page cannot collide.
 */
import type { TopLevelSpec } from "vega-lite";
import { CONTEXTS } from "../types.js";
import { TASK_LABEL, taskLabel } from "./format.js";
import type { ContextEffectRow, RateRow, SycophancyRow, WarmthRow } from "./model.js";

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const CONFIG = {
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 220 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: "bottom", labelLimit: 260 },
  view: { stroke: "#ddd" },
};

export { taskLabel } from "./format.js";

/** Error rate (%) per subject, task and belief group, with Wilson 95% CIs. */
export function ratesSpec(rows: readonly RateRow[]): TopLevelSpec {
  const values = rows.map((r) => ({
    subject: r.subject,
    role: r.role,
    task: taskLabel(r.task),
    belief: r.beliefGroup === "no_belief" ? "No user belief" : "User states a belief",
    rate: r.errorRate * 100,
    lo: r.ciLower * 100,
    hi: r.ciUpper * 100,
    n: r.n,
  }));
  const subjects = [...new Set(rows.map((r) => r.subject))];
  const palette: Record<RateRow["role"], string> = {
    reference: "#8c8c8c",
    treatment: "#d9480f",
    other: "#4c6ef5",
  };
  const roles = (["reference", "treatment", "other"] as const).filter((r) =>
    rows.some((x) => x.role === r),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values },
    facet: {
      column: { field: "task", type: "nominal", title: null, sort: Object.values(TASK_LABEL) },
      row: { field: "belief", type: "nominal", title: null },
    },
    spec: {
      width: Math.max(60, subjects.length * 28),
      height: 170,
      encoding: {
        x: {
          field: "subject",
          type: "nominal",
          title: null,
          sort: subjects,
          axis: { labelAngle: -30 },
        },
      },
      layer: [
        {
          mark: { type: "bar", opacity: 0.85 },
          encoding: {
            y: { field: "rate", type: "quantitative", title: "Error rate (%)" },
            color: {
              field: "role",
              type: "nominal",
              title: "Subject",
              scale: { domain: roles, range: roles.map((r) => palette[r]) },
            },
          },
        },
        {
          mark: { type: "rule", strokeWidth: 1.5, color: "#222" },
          encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
        },
      ],
    },
    resolve: { scale: { y: "shared" } },
  } as TopLevelSpec;
}

/** Model 3 forest plot: treatment effect (pp) per context, 95% CIs, a rule at zero. */
export function contextForestSpec(rows: readonly ContextEffectRow[]): TopLevelSpec {
  const values = rows
    .filter((r) => r.estimate !== null)
    .map((r) => ({
      comparison: r.comparison,
      context: r.context,
      est: r.estimate,
      lo: r.ciLower,
      hi: r.ciUpper,
    }));
  const multi = new Set(values.map((v) => v.comparison)).size > 1;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    width: 420,
    height: { step: multi ? 26 : 20 },
    layer: [
      {
        data: { values },
        encoding: {
          y: { field: "context", type: "nominal", title: null, sort: [...CONTEXTS] },
          ...(multi ? { yOffset: { field: "comparison", type: "nominal" } } : {}),
          color: { field: "comparison", type: "nominal", title: "Treatment" },
        },
        layer: [
          {
            mark: { type: "rule", strokeWidth: 2 },
            encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
          },
          {
            mark: { type: "point", filled: true, size: 60 },
            encoding: {
              x: {
                field: "est",
                type: "quantitative",
                title: "Treatment − reference error rate (percentage points)",
              },
            },
          },
        ],
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", strokeDash: [4, 3], color: "#555" },
        encoding: { x: { field: "zero", type: "quantitative" } },
      },
    ],
  } as TopLevelSpec;
}

/** Model 4: treatment effect without vs with a stated user belief, per task. */
export function sycophancySpec(rows: readonly SycophancyRow[]): TopLevelSpec {
  const values = rows.flatMap((r) =>
    (
      [
        ["Without user belief", r.withoutBelief],
        ["With user belief", r.withBelief],
      ] as const
    )
      .filter(([, e]) => e.estimate !== null)
      .map(([condition, e]) => ({
        comparison: r.comparison,
        task: taskLabel(r.task),
        condition,
        est: e.estimate,
        lo: e.ciLower,
        hi: e.ciUpper,
      })),
  );
  const comparisons = [...new Set(values.map((v) => v.comparison))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values },
    facet: { row: { field: "comparison", type: "nominal", title: "Treatment", sort: comparisons } },
    spec: {
      width: 420,
      height: { step: 30 },
      layer: [
        {
          encoding: {
            y: { field: "task", type: "nominal", title: null, sort: Object.values(TASK_LABEL) },
            yOffset: {
              field: "condition",
              type: "nominal",
              sort: ["Without user belief", "With user belief"],
            },
            color: {
              field: "condition",
              type: "nominal",
              title: null,
              sort: ["Without user belief", "With user belief"],
              scale: { range: ["#868e96", "#c2255c"] },
            },
          },
          layer: [
            {
              mark: { type: "rule", strokeWidth: 2 },
              encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
            },
            {
              mark: { type: "point", filled: true, size: 60 },
              encoding: {
                x: {
                  field: "est",
                  type: "quantitative",
                  title: "Treatment − reference error rate (percentage points)",
                },
              },
            },
          ],
        },
        {
          mark: { type: "rule", strokeDash: [4, 3], color: "#555" },
          encoding: { x: { datum: 0, type: "quantitative" } },
        },
      ],
    },
  } as TopLevelSpec;
}

/** Warmth scores: mean per subject and metric with 95% CIs. */
export function warmthSpec(rows: readonly WarmthRow[]): TopLevelSpec {
  const values = rows.map((r) => ({
    metric: r.scorer ? `${r.metric} (${r.scorer})` : r.metric,
    subject: r.subject,
    mean: r.mean,
    lo: r.ciLower ?? r.mean,
    hi: r.ciUpper ?? r.mean,
  }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values },
    facet: {
      row: {
        field: "metric",
        type: "nominal",
        title: null,
        header: {
          labelAngle: 0,
          labelOrient: "top",
          labelAnchor: "start",
          labelFontWeight: "bold",
        },
      },
    },
    spec: {
      width: 360,
      height: { step: 22 },
      encoding: { y: { field: "subject", type: "nominal", title: null } },
      layer: [
        {
          mark: { type: "rule", strokeWidth: 2, color: "#495057" },
          encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
        },
        {
          mark: { type: "point", filled: true, size: 60, color: "#e8590c" },
          encoding: {
            x: {
              field: "mean",
              type: "quantitative",
              title: "Mean warmth score",
              scale: { zero: false },
            },
          },
        },
      ],
    },
    resolve: { scale: { x: "independent" } },
  } as TopLevelSpec;
}

let figureCounter = 0;

/** Renders a Vega-Lite spec to standalone SVG markup (ids made unique). */
export async function renderSvg(spec: TopLevelSpec, idPrefix?: string): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vl.compile(spec).spec;
  const noNetwork = vega.loader();
  noNetwork.load = async (uri: string) => {
    throw new Error(`figures are rendered offline; refusing to load ${uri}`);
  };
  noNetwork.sanitize = async (uri: string) => {
    throw new Error(`figures are rendered offline; refusing to load ${uri}`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: "none", loader: noNetwork });
  try {
    const svg = await view.toSVG();
    const prefix = idPrefix ?? `fig${++figureCounter}-`;
    return svg
      .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
      .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
      .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
  } finally {
    view.finalize();
  }
}
