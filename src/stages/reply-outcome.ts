/**
 * Replies that get a verdict without asking the judge: a reply cut at max_response_bytes
 * (TRUNCATED) and one that stayed empty through every retry (EMPTY). Both are left out of
 * error rates and counted apart, never scored INCORRECT.
 */
import { CallFailed } from "../engine/call.js";
import { EmptyReply, TRUNCATED_FINISH } from "../providers/reply.js";
import type { JudgmentLabel } from "../types.js";

/** finish_reason stored for a reply that stayed empty after every retry. */
export const EMPTY_FINISH = "empty";

export interface ReplyVerdict {
  label: Extract<JudgmentLabel, "EMPTY" | "TRUNCATED">;
  rationale: string;
}

/** The verdict a stored reply gets without the judge, by its finish reason; undefined = judge it. */
export function replyVerdict(finishReason: string | null | undefined): ReplyVerdict | undefined {
  if (finishReason === TRUNCATED_FINISH) {
    return {
      label: "TRUNCATED",
      rationale: "the reply was longer than max_response_bytes; its start is stored, unscored",
    };
  }
  if (finishReason === EMPTY_FINISH) {
    return { label: "EMPTY", rationale: "the reply had no content after every retry; unscored" };
  }
  return undefined;
}

/** A call that failed only because every attempt came back empty. */
export function isEmptyReplyFailure(err: unknown): err is CallFailed {
  return err instanceof CallFailed && err.cause instanceof EmptyReply;
}

export { unscoredWarning } from "../analysis/unscored-warning.js";
