/**
 * A round's custom_id names what it asks for and for which trial: the trial id (generation),
 * `<trial id>-judge` (its verdict), `-challenge` (the "are you sure?" turn),
 * `-challenge-judge` (that turn's verdict) and `-warmth` (the warmth rating of its answer).
 * Here, below stages/ and warmth/, so both name requests the same way.
 */
export type Kind = "generate" | "judge" | "challenge" | "challenge-judge" | "warmth";

/** Most specific first: `-challenge-judge` also ends in `-judge`. */
const SUFFIXES: readonly [Kind, string][] = [
  ["challenge-judge", "-challenge-judge"],
  ["challenge", "-challenge"],
  ["judge", "-judge"],
  ["warmth", "-warmth"],
];

export function customIdOf(kind: Kind, trialId: string): string {
  return kind === "generate" ? trialId : `${trialId}${SUFFIXES.find(([k]) => k === kind)![1]}`;
}

/** custom_id → what it asks for and for which trial. */
export function parseCustomId(customId: string): { kind: Kind; trialId: string } {
  for (const [kind, suffix] of SUFFIXES) {
    if (customId.endsWith(suffix)) return { kind, trialId: customId.slice(0, -suffix.length) };
  }
  return { kind: "generate", trialId: customId };
}
