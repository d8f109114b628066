/** The warmth metrics' names in the `metrics` table (see measure.ts). */
export const METRIC_SOCIOT_REFERENCE = "warmth.sociot.reference";
export const METRIC_SOCIOT_STRICT = "warmth.sociot.strict";
export const METRIC_JUDGE_WARMTH = "warmth.judge";
export const WARMTH_METRICS = [
  METRIC_SOCIOT_REFERENCE,
  METRIC_SOCIOT_STRICT,
  METRIC_JUDGE_WARMTH,
] as const;
