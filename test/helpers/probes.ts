import { PROBE_ANSWER, PROBE_ITEM } from "../../src/stages/preflight.js";

/**
 * Whether a judge prompt is the preflight's judge probe rather than a grading call, read from
 * the probe's own item and answer so a changed probe cannot slip past a counting test.
 */
export function isJudgeProbe(prompt: string): boolean {
  return (
    prompt.includes(PROBE_ITEM.question) &&
    prompt.includes(`<response>\n${PROBE_ANSWER}\n</response>`)
  );
}
