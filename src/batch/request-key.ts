import { createHash } from "node:crypto";
import type { GenerateRequest } from "../providers/types.js";

/**
 * A request's content key: model, messages, params and output schema. Identical requests (two
 * samples of one prompt) share it and are told apart by an ordinal suffix, so custom_id =
 * `<key>-<n>` names one request whichever stage (generation, judge, challenge, warmth rating)
 * made it, and an interrupted run finds its requests again from their content alone.
 */
export function requestKey(
  ref: string,
  req: Pick<GenerateRequest, "messages" | "params" | "outputSchema">,
): string {
  return createHash("sha256")
    .update(JSON.stringify([ref, req.messages, req.params, req.outputSchema ?? null]))
    .digest("hex")
    .slice(0, 40);
}
