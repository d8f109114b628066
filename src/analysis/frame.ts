/**
 * AnalysisRow objects → the columnar Frame the statistics run on. Categorical
 * fields (including is_finetuned and sample, which are labels, not quantities)
 * become integer codes; `is_incorrect` and `response_length` stay numeric.
 */
import { type Column, categorical, type Frame, makeFrame, numeric } from "../stats/frame.js";
import { type AnalysisRow, CATEGORICAL_COLUMNS, NUMERIC_COLUMNS } from "./rows.js";

export function rowsToFrame(rows: readonly AnalysisRow[]): Frame {
  const columns: Record<string, Column> = {};
  for (const name of CATEGORICAL_COLUMNS)
    columns[name] = categorical(rows.map((r) => String(r[name])));
  for (const name of NUMERIC_COLUMNS) columns[name] = numeric(rows.map((r) => r[name]));
  return makeFrame(columns);
}
