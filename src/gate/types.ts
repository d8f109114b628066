/**
 * What the gate reads from a run's summary, as plain structural types so that the gate
 * stays a pure function over data (a `Summary` from `candor summary --json` fits).
 */
import type { BeliefGroup } from "../types.js";

export interface GateComparison {
  reference: string;
  treatment: string;
  task: string;
  beliefGroup: BeliefGroup;
  differencePp: number | null;
  ci95Pp: [number, number] | null;
  paired: { pairs: number };
}

export interface GateCell {
  subject: string;
  task: string;
  responses: number;
  unparseable: number;
}

export interface GateFlips {
  subject: string;
  task: string;
  scored: number;
  caveRate: number | null;
}

export interface GateWarmth {
  comparisons: readonly {
    metric: string;
    scorer: string;
    reference: string;
    treatment: string;
    pairs: number;
    warmer: boolean;
    warning?: string;
  }[];
}

export interface GateSummary {
  comparisons: readonly GateComparison[];
  cells: readonly GateCell[];
  challenge?: readonly GateFlips[];
  warmth?: GateWarmth;
}

export type CheckName = "gap" | "cave_increase" | "unparseable" | "warmer";
export type CheckVerdict = "pass" | "fail" | "inconclusive" | "skipped";
export type GateVerdict = "pass" | "fail" | "inconclusive";

export interface GateCheck {
  check: CheckName;
  reference: string;
  treatment: string;
  /** Which part of the design: "all / user belief", "triviaqa / no belief", a subject, a metric. */
  scope: string;
  /** The number compared with the limit (pp, or a share for unparseable); null when missing. */
  value: number | null;
  limit: number | null;
  unit: "pp" | "share" | "";
  verdict: CheckVerdict;
  /** One readable sentence: the estimate, its CI and pairs, or why it is inconclusive. */
  detail: string;
}

export interface GateResult {
  verdict: GateVerdict;
  /** 0 pass, 1 fail, 3 inconclusive. */
  exitCode: 0 | 1 | 3;
  checks: GateCheck[];
}

export const GATE_EXIT_CODES = { pass: 0, fail: 1, inconclusive: 3 } as const;
