import { createHash } from "node:crypto";
import type { GenerateRequest } from "../providers/types.js";

/**
 * A request's content key: model, messages, params and output schema. The per-request path
 * (BatchProvider: `cache: true` runs, runs begun before rounds) names a request
 * `<key>-<n>`, identical requests (two samples of one prompt) told apart by the ordinal, so an
 * interrupted run finds its requests again from their content alone. Rounds (round.ts) use the
 * trial or verdict id instead; a round hands a request back to this path by the same key.
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
