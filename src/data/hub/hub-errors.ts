import { DataError } from "../../errors.js";
import type { FetchOptions } from "./download-types.js";
import type { Idle } from "./idle.js";

/**
 * HubError and the messages of hub failures: HTTP statuses, network errors and
 * interrupted downloads, each with what to do about it.
 */

/** A hub failure; `file` is the exact URL. */
export class HubError extends DataError {
  constructor(
    url: string,
    where: string | undefined,
    expected: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(url, where, expected);
  }
}

function via(url: string, current: string): string {
  return current === url ? "" : ` (redirected to ${current})`;
}

export function statusError(
  url: string,
  current: string,
  status: number,
  options: FetchOptions,
): HubError {
  const where = `HTTP ${status}`;
  const at = via(url, current);
  if (status === 401 || status === 403) {
    const tokenState = options.token
      ? "HF_TOKEN is set but was refused (HF_TOKEN, else HUGGING_FACE_HUB_TOKEN): check that the token has read access and that its account accepted the dataset's terms"
      : "no HF_TOKEN is set (nor HUGGING_FACE_HUB_TOKEN): create a read token at https://huggingface.co/settings/tokens, accept the dataset's terms on its page, and export HF_TOKEN";
    return new HubError(
      url,
      where,
      `${status === 401 ? "unauthorized" : "forbidden"}${at}; the dataset may be gated or private — ${tokenState}${options.authHint ? ` (${options.authHint})` : ""}${remedy(options)}`,
      status,
    );
  }
  if (status === 404) {
    return new HubError(
      url,
      where,
      `not found${at}; check the dataset id, config, split, file and revision${remedy(options)}`,
      status,
    );
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return new HubError(
    url,
    where,
    `the server answered ${status}${at}${remedy(options)}`,
    status,
    retryable,
  );
}

export function networkError(
  url: string,
  current: string,
  error: unknown,
  options: FetchOptions,
  signal: AbortSignal,
): HubError {
  const cause = describeCause(error);
  if (signal.aborted) {
    return new HubError(
      url,
      "download",
      `no response${via(url, current)}: ${cause}${remedy(options)}`,
      undefined,
      true,
    );
  }
  return new HubError(
    url,
    "network",
    `could not reach ${new URL(current).host} (${cause}); you may be offline${remedy(options)}`,
    undefined,
    true,
  );
}

export function asDownloadError(
  url: string,
  error: unknown,
  done: number,
  total: number | undefined,
  options: FetchOptions,
  idle: Idle,
): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  if (error instanceof HubError) return error;
  const cause = idle.timedOut()
    ? `no data for ${options.idleTimeoutMs ?? 60_000} ms`
    : describeCause(error);
  const of = total !== undefined ? ` of ${total}` : "";
  return new HubError(
    url,
    "download",
    `interrupted after ${done}${of} bytes (${cause}); nothing was cached — try again${remedy(options)}`,
    undefined,
    true,
  );
}

function describeCause(error: unknown): string {
  const e = error as {
    message?: string;
    code?: string;
    cause?: { code?: string; message?: string };
  };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return code ? `${code}: ${message}` : message;
}

export function remedy(options: FetchOptions): string {
  return options.remedy ? `. ${options.remedy}` : "";
}
