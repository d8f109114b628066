/**
 * The study's Models 1–4 (STUDY.md §7) as data: which rows, which terms, which
 * marginal effects and which log-odds contrasts. Formulas follow the authors'
 * code and published output (coefficient names match statsmodels'):
 *  - Model 1: is_incorrect ~ ft + dataset + model [+ response_length],
 *    unmodified context and no-belief templates only;
 *  - Model 2: ft × context group, no-belief rows;
 *  - Model 3: ft × detailed context, no-belief rows;
 *  - Model 4: ft × belief group with the context group as a main effect, all rows.
 *    This is the form of the *published* Model 4 output (the repository script
 *    differs); patsy then codes ft with both levels inside the interaction.
 */
import type { FactorSpec, ModelSpec } from "../stats/design.js";

export const MODEL_IDS = ["model1", "model1_length", "model2", "model3", "model4"] as const;
export type ModelId = (typeof MODEL_IDS)[number];

export interface RowFilter {
  readonly column: string;
  readonly levels: readonly string[];
}

export interface StudyModel {
  readonly id: ModelId;
  readonly title: string;
  readonly filters: readonly RowFilter[];
  readonly spec: ModelSpec;
  /** Column whose levels each get their own fine-tuning AME (and contrast to its reference). */
  readonly effectsBy?: { readonly column: string; readonly reference: string };
  readonly datasetEffects: boolean;
  readonly lengthEffect: boolean;
}

export const TREATMENT = "is_finetuned";

/** Factor definitions; `datasetReference` falls back when a run has no Disinfo rows. */
export function studyFactors(datasetReference = "disinfo"): Record<string, FactorSpec> {
  return {
    ft: { column: TREATMENT, kind: "categorical", reference: "0" },
    dataset: { column: "dataset", kind: "categorical", reference: datasetReference },
    model: { column: "model", kind: "categorical" },
    group: { column: "amendment_group", kind: "categorical", reference: "unmodified" },
    context: { column: "amendment_type", kind: "categorical", reference: "unmodified" },
    belief: { column: "prompt_group", kind: "categorical", reference: "original" },
    length: { column: "response_length", kind: "numeric" },
  };
}

const NO_BELIEF: RowFilter = { column: "prompt_group", levels: ["original"] };
const UNMODIFIED: RowFilter = { column: "amendment_group", levels: ["unmodified"] };

export function studyModel(id: ModelId, datasetReference = "disinfo"): StudyModel {
  const factors = studyFactors(datasetReference);
  const base = { factors, intercept: true };
  switch (id) {
    case "model1":
      return {
        id,
        title: "Model 1: main effects (unmodified context, no user belief)",
        filters: [UNMODIFIED, NO_BELIEF],
        spec: { ...base, terms: [["ft"], ["dataset"], ["model"]] },
        datasetEffects: true,
        lengthEffect: false,
      };
    case "model1_length":
      return {
        id,
        title: "Model 1 with response length (unmodified context, no user belief)",
        filters: [UNMODIFIED, NO_BELIEF],
        spec: { ...base, terms: [["ft"], ["dataset"], ["model"], ["length"]] },
        datasetEffects: true,
        lengthEffect: true,
      };
    case "model2":
      return {
        id,
        title: "Model 2: fine-tuning × context group (no user belief)",
        filters: [NO_BELIEF],
        spec: { ...base, terms: [["ft"], ["group"], ["dataset"], ["ft", "group"], ["model"]] },
        effectsBy: { column: "amendment_group", reference: "unmodified" },
        datasetEffects: false,
        lengthEffect: false,
      };
    case "model3":
      return {
        id,
        title: "Model 3: fine-tuning × detailed context (no user belief)",
        filters: [NO_BELIEF],
        spec: { ...base, terms: [["ft"], ["context"], ["dataset"], ["ft", "context"], ["model"]] },
        effectsBy: { column: "amendment_type", reference: "unmodified" },
        datasetEffects: false,
        lengthEffect: false,
      };
    case "model4":
      return {
        id,
        title: "Model 4: fine-tuning × user belief (sycophancy), all rows",
        filters: [],
        spec: { ...base, terms: [["ft"], ["group"], ["dataset"], ["model"], ["ft", "belief"]] },
        effectsBy: { column: "prompt_group", reference: "original" },
        datasetEffects: false,
        lengthEffect: false,
      };
  }
}

/** Human-readable patsy-style formula of a model. */
export function formulaOf(spec: ModelSpec, response = "is_incorrect"): string {
  const label = (name: string) => {
    const f = spec.factors[name]!;
    if (f.label) return f.label;
    if (f.kind === "numeric") return f.column;
    if (f.reference === undefined) return `C(${f.column})`;
    const ref = /^-?\d+$/.test(f.reference) ? f.reference : `'${f.reference}'`;
    return `C(${f.column}, Treatment(reference=${ref}))`;
  };
  return `${response} ~ ${spec.terms.map((t) => t.map(label).join(":")).join(" + ")}`;
}
