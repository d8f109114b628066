/** What a stage of model calls counts (audit and tuning stages); the CLI draws any of them. */
export interface Counters {
  stage: string;
  total: number;
  done: number;
  /** Already in the store from an earlier run (not called again). */
  resumed: number;
  failed: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  startedAt: number;
}

/** Live counters for one stage; the CLI renders them, tests read them. */
export interface StageCounters extends Counters {
  stage: "generate" | "judge" | "challenge" | "pressure";
  /** Answered from the cross-run response cache (`cache: true`). */
  cacheHits: number;
}

export function newCounters(stage: StageCounters["stage"]): StageCounters {
  return {
    stage,
    total: 0,
    done: 0,
    resumed: 0,
    failed: 0,
    cacheHits: 0,
    retries: 0,
    promptTokens: 0,
    completionTokens: 0,
    startedAt: performance.now(),
  };
}

export interface AuditProgress {
  generate: StageCounters;
  judge: StageCounters;
  /** Present when the audit asks "are you sure?" follow-ups. */
  challenge?: StageCounters;
  /** Present when the audit presses answers over several turns (`pressure:`). */
  pressure?: StageCounters;
}
