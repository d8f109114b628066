import type { Judgment, Response } from "../types.js";
import { Batcher } from "./batcher.js";
import type { ChallengeJudgment, ChallengeResponse, Failure, RunStore } from "./run-store.js";

interface RunBatch {
  responses: Response[];
  judgments: Judgment[];
  failures: Failure[];
  challenges: ChallengeResponse[];
  challengeJudgments: ChallengeJudgment[];
}

/** Batched, idempotent writes of an audit's results to its run store. */
export class BatchWriter extends Batcher<RunBatch> {
  constructor(store: RunStore, maxRows = 500, maxDelayMs = 100) {
    super(
      () => ({
        responses: [],
        judgments: [],
        failures: [],
        challenges: [],
        challengeJudgments: [],
      }),
      (batch) => store.writeBatch(batch),
      maxRows,
      maxDelayMs,
    );
  }

  addResponse(r: Response): void {
    this.add("responses", r);
  }

  addJudgment(j: Judgment): void {
    this.add("judgments", j);
  }

  addChallenge(c: ChallengeResponse): void {
    this.add("challenges", c);
  }

  addChallengeJudgment(j: ChallengeJudgment): void {
    this.add("challengeJudgments", j);
  }

  addFailure(f: Failure): void {
    this.add("failures", f);
  }
}
