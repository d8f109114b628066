import type { FetchOptions } from "./download-types.js";

/**
 * Idle timeout for one download: aborts when no byte arrives for `idleTimeoutMs`, and
 * follows the caller's signal.
 */

export interface Idle {
  signal: AbortSignal;
  touch(): void;
  dispose(): void;
  timedOut(): boolean;
}

export function idleController(options: FetchOptions): Idle {
  const controller = new AbortController();
  const ms = options.idleTimeoutMs ?? 60_000;
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      controller.abort(new Error(`no data for ${ms} ms`));
    }, ms);
    timer.unref();
  };
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  arm();
  return {
    signal: controller.signal,
    touch: arm,
    timedOut: () => fired,
    dispose: () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    },
  };
}
