/**
 * Errors a user can act on. Every message names the place (file, row, field)
 * and what was expected, so the CLI can print it as-is and exit non-zero.
 */
export class CandorError extends Error {
  override readonly name: string = "CandorError";
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 2;
}

/** A config file that does not parse or validate. */
export class ConfigError extends CandorError {
  override readonly name = "ConfigError";
}

/** A dataset file that is missing or malformed. `where` is e.g. "data.csv row 12, column Question". */
export class DataError extends CandorError {
  override readonly name = "DataError";
  constructor(
    readonly file: string,
    readonly where: string | undefined,
    readonly expected: string,
  ) {
    super(`${file}${where ? ` (${where})` : ""}: ${expected}`);
  }
}

/** A model reference or provider setup that cannot be used. */
export class ProviderConfigError extends CandorError {
  override readonly name = "ProviderConfigError";
}

/**
 * A failed model call. `retryable` tells the engine whether backing off and
 * trying again can help (429, 5xx, timeouts, dropped connections).
 */
export class ProviderCallError extends Error {
  override readonly name = "ProviderCallError";
  /** No HTTP answer at all (refused, reset, unknown host): counted by the engine's endpoint watch. */
  connectionFailed = false;
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** Server-requested wait (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
