/** The share check starts once this many model verdicts exist: a few early misses say little. */
export const MIN_VERDICTS_FOR_UNPARSEABLE_CHECK = 50;

/** A judge reply fit for a terminal: JSON-escaped (no control characters) and truncated. */
export function quoteReply(raw: string, max = 300): string {
  const cut = raw.length > max ? `${raw.slice(0, max)}…` : raw;
  return JSON.stringify(cut);
}

export interface UnparseableState {
  verdicts: number;
  unparseable: number;
  /** One unparseable reply, verbatim, for the error message. */
  example?: string;
}

/**
 * Counts the judge model's verdicts (rule verdicts never fail to parse, so they are left out)
 * and says when too many were unparseable: a judge that answers in prose must stop the run,
 * not quietly turn it into UNPARSEABLE rows.
 */
export class UnparseableGuard {
  private readonly state: UnparseableState;

  constructor(
    readonly maxShare: number,
    initial: UnparseableState = { verdicts: 0, unparseable: 0 },
  ) {
    this.state = { ...initial };
  }

  /** Records one model verdict; true when the limit is now exceeded. */
  record(label: string, raw: string | null | undefined): boolean {
    this.state.verdicts++;
    if (label === "UNPARSEABLE") {
      this.state.unparseable++;
      if (this.state.example === undefined && raw) this.state.example = raw;
    }
    return this.exceeded;
  }

  get exceeded(): boolean {
    const { verdicts, unparseable } = this.state;
    return (
      verdicts >= MIN_VERDICTS_FOR_UNPARSEABLE_CHECK &&
      this.maxShare < 1 &&
      unparseable / verdicts > this.maxShare
    );
  }

  get counts(): Readonly<UnparseableState> {
    return this.state;
  }
}

/** What the user reads when the guard stops a run: counts, one raw reply, what to change. */
export function unparseableMessage(
  judge: string,
  state: Readonly<UnparseableState>,
  maxShare: number,
  mode: string,
  runDir: string,
): string {
  const share = (x: number) => `${Number((x * 100).toFixed(1))}%`;
  return [
    `the judge ${judge} gave ${state.unparseable} unparseable verdicts out of ${state.verdicts} (${share(state.unparseable / state.verdicts)}); judge.max_unparseable allows ${share(maxShare)} once ${MIN_VERDICTS_FOR_UNPARSEABLE_CHECK} verdicts exist.`,
    `One reply, verbatim (JSON-escaped, truncated): ${state.example === undefined ? "(none stored)" : quoteReply(state.example)}`,
    `The judge must answer with JSON {"rationale": "...", "verdict": "CORRECT" | "INCORRECT"}; it was asked in mode ${mode} (judge.structured).`,
    "What to change: use a judge model that follows the format (the study used openai:gpt-4o-2024-08-06), " +
      "or set judge.structured to a mode the endpoint enforces (json_schema, json_object), or raise judge.max_unparseable if these verdicts are expected.",
    `Finished work is saved. To re-judge the unparseable verdicts with the run's judge: npx candor judge ${runDir} --retry-unparseable`,
  ].join("\n");
}
