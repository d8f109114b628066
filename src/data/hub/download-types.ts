/** Options and results of hub downloads (see download.ts). */

export interface Progress {
  file: string;
  done: number;
  total?: number;
}

export interface FetchOptions {
  /** Bearer token, sent only to `tokenOrigin`. Never logged or stored. */
  token?: string;
  tokenOrigin?: string;
  signal?: AbortSignal;
  /** Extra attempts after a retryable failure (network error, dropped connection, 429, 5xx). */
  retries?: number;
  retryDelayMs?: number;
  /** Abort when no byte arrives for this long. */
  idleTimeoutMs?: number;
  /** Explains how to do without the download, appended to every error. */
  remedy?: string;
  /** Explains what a 401/403 means for this resource. */
  authHint?: string;
}

export interface DownloadOptions extends FetchOptions {
  /** Label for progress callbacks (e.g. the file name). */
  label?: string;
  expectedSha256?: string;
  onProgress?: (p: Progress) => void;
  /** Ignore a cached copy (unless its sha256 is pinned and matches). */
  refresh?: boolean;
}

export interface CacheEntry {
  path: string;
  url: string;
  /** The URL the content was finally served from, after redirects. */
  finalUrl: string;
  sha256: string;
  bytes: number;
  fromCache: boolean;
  etag?: string;
  /** The hub's X-Repo-Commit header: the commit the file came from. */
  repoCommit?: string;
}
