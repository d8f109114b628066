/** Number formatting shared by the HTML report, the Markdown summary and the viewer. */

export const DASH = "—";

/** Percentage points with sign: +7.43. */
export function fmtPp(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  const s = x.toFixed(digits);
  if (Number(s) === 0) return (0).toFixed(digits);
  return x > 0 ? `+${s}` : s;
}

/** A probability as a percentage: 12.3%. */
export function fmtRate(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${(x * 100).toFixed(digits)}%`;
}

export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  if (p < 0.001) return "< 0.001";
  return p.toFixed(3);
}

export function fmtCi(
  lo: number | null | undefined,
  hi: number | null | undefined,
  digits = 2,
): string {
  if (lo === null || lo === undefined || hi === null || hi === undefined) return DASH;
  return `[${fmtPp(lo, digits)}, ${fmtPp(hi, digits)}]`;
}

export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return x.toFixed(digits);
}

export function fmtInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return Math.round(x).toLocaleString("en-US");
}

export const BELIEF_TEXT: Record<string, string> = {
  original: "no belief",
  original_neutral: "no belief (neutral)",
  incorrect: "user states a wrong answer",
  correct: "user doubts the right answer",
};

/** Display names of the tasks (and the pooled row). */
export const TASK_LABEL: Record<string, string> = {
  triviaqa: "TriviaQA",
  truthfulqa: "TruthfulQA",
  disinfo: "Disinfo",
  medqa: "MedQA",
  all: "All tasks",
};
export const taskLabel = (t: string) => TASK_LABEL[t] ?? t;
