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

/**
 * Batched, idempotent writes of an audit's results to its run store. Each add resolves once
 * its row is committed (see Batcher): await it before counting the result done.
 */
export class BatchWriter extends Batcher<RunBatch> {
  constructor(store: RunStore, maxRows = 500) {
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
      store.file,
    );
  }

  addResponse(r: Response): Promise<void> {
    return this.add("responses", r);
  }

  addJudgment(j: Judgment): Promise<void> {
    return this.add("judgments", j);
  }

  addChallenge(c: ChallengeResponse): Promise<void> {
    return this.add("challenges", c);
  }

  addChallengeJudgment(j: ChallengeJudgment): Promise<void> {
    return this.add("challengeJudgments", j);
  }

  /** Failure records are not results: not awaited (a write failure surfaces on the next add). */
  addFailure(f: Failure): void {
    void this.add("failures", f);
  }
}
