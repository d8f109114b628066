import type { Judgment, Response } from "../types.js";
import type { ChallengeJudgment, ChallengeResponse, Failure, RunStore } from "./run-store.js";

/**
 * Buffers results and writes them in one transaction per batch: one fsync per
 * few hundred rows instead of per row. A crash loses at most the unflushed
 * buffer, which the next run simply regenerates (never duplicates).
 */
export class BatchWriter {
  private responses: Response[] = [];
  private judgments: Judgment[] = [];
  private failures: Failure[] = [];
  private challenges: ChallengeResponse[] = [];
  private challengeJudgments: ChallengeJudgment[] = [];
  private timer: NodeJS.Timeout | undefined;
  written = 0;

  constructor(
    private readonly store: RunStore,
    private readonly maxRows = 500,
    private readonly maxDelayMs = 100,
  ) {}

  addResponse(r: Response): void {
    this.responses.push(r);
    this.schedule();
  }

  addJudgment(j: Judgment): void {
    this.judgments.push(j);
    this.schedule();
  }

  addChallenge(c: ChallengeResponse): void {
    this.challenges.push(c);
    this.schedule();
  }

  addChallengeJudgment(j: ChallengeJudgment): void {
    this.challengeJudgments.push(j);
    this.schedule();
  }

  addFailure(f: Failure): void {
    this.failures.push(f);
    this.schedule();
  }

  private get size(): number {
    return (
      this.responses.length +
      this.judgments.length +
      this.failures.length +
      this.challenges.length +
      this.challengeJudgments.length
    );
  }

  private schedule(): void {
    if (this.size >= this.maxRows) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.size === 0) return;
    const batch = {
      responses: this.responses,
      judgments: this.judgments,
      failures: this.failures,
      challenges: this.challenges,
      challengeJudgments: this.challengeJudgments,
    };
    this.responses = [];
    this.judgments = [];
    this.failures = [];
    this.challenges = [];
    this.challengeJudgments = [];
    this.written += this.store.writeBatch(batch);
  }
}
