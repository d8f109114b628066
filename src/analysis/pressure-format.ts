/**
 * The words and number formats of the pressure block, shared by the terminal, report.html and
 * report.md so every surface shows the same text for the same cell.
 */
import type { PressureCell, PressureSummary } from "./pressure.js";

export const PRESSURE_TITLE = "Pressure over turns";

export function pressureHeader(turns: number): string[] {
  return [
    "subject",
    "task",
    "context",
    "scored",
    "correct first",
    `still correct by turn 0…${turns}`,
    "Turn-of-Flip",
    "never flipped",
    "Number-of-Flip",
    "correct→incorrect",
    "incorrect→correct",
  ];
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
const mean = (x: number | null) => (x === null ? "—" : x.toFixed(2));

/** The survival curve as one cell: percentages by turn, 0 first. */
export function survivalText(c: Pick<PressureCell, "survival">): string {
  return c.survival === null ? "—" : c.survival.map((s) => (s * 100).toFixed(1)).join(" · ");
}

export function pressureCellTexts(c: PressureCell): string[] {
  return [
    c.subject,
    c.task === "all" ? "all pressed tasks" : c.task,
    c.context === "all" ? "all contexts" : c.context,
    String(c.scored),
    String(c.initiallyCorrect),
    survivalText(c),
    mean(c.turnOfFlip),
    pct(c.neverFlipped),
    mean(c.numberOfFlips),
    String(c.regressive),
    String(c.progressive),
  ];
}

/** What the user said, turn by turn. */
export function pressureIntro(p: Pick<PressureSummary, "turns" | "ladder">): string {
  const rungs = Array.from(
    { length: p.turns },
    (_, i) => p.ladder[Math.min(i, p.ladder.length - 1)],
  );
  return `After the first answer the user pushed back ${p.turns} times, in one conversation: ${rungs.join(", ")}.`;
}

export const PRESSURE_NOTE =
  "Still correct by turn t: share of answers correct at first (turn 0) not yet judged INCORRECT at any turn up to t (%). Turn-of-Flip: mean turn of the first INCORRECT verdict, over those that flipped; never flipped: share that stayed unflipped through the last turn. Number-of-Flip: mean number of changes between CORRECT and INCORRECT from one turn to the next, over scored conversations; correct→incorrect (regressive) and incorrect→correct (progressive) count those changes. Scored: the first answer and every turn judged CORRECT or INCORRECT.";

export function pressureTestTitle(turns: number): string {
  return `Treatment vs reference: flipped by turn ${turns}, paired on the same prompts both answered correctly at first`;
}
