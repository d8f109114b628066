import { CandorError } from "../errors.js";

/**
 * Exit codes a script can act on (README, "Exit codes"): 2 bad input or setup, 3 trials still
 * pending after failures, 4 the judge's output could not be read, 5 a model endpoint is
 * unusable (preflight or mid-run), 130 interrupted.
 */
export const EXIT_JUDGE_UNPARSEABLE = 4;
export const EXIT_ENDPOINT_UNUSABLE = 5;

/** Too many of the judge model's verdicts were unparseable: the run's numbers would mislead. */
export class JudgeUnparseableError extends CandorError {
  override readonly name = "JudgeUnparseableError";
  override readonly exitCode = EXIT_JUDGE_UNPARSEABLE;
}

/** An endpoint that every further call would fail on (unreachable, bad key, unknown model). */
export class EndpointUnusableError extends CandorError {
  override readonly name = "EndpointUnusableError";
  override readonly exitCode = EXIT_ENDPOINT_UNUSABLE;
}
