import cliProgress from "cli-progress";
import type { AuditProgress, Counters, StageCounters } from "../engine/counters.js";

/** Fresh calls per second (work resumed from an earlier run does not count). */
export function rate(c: Counters): number {
  const seconds = (performance.now() - c.startedAt) / 1000;
  const fresh = c.done - c.resumed;
  return seconds > 0 ? fresh / seconds : 0;
}

export function eta(c: Counters): string {
  const r = rate(c);
  const left = c.total - c.done - c.failed;
  if (left <= 0) return "0s";
  if (r <= 0) return "—";
  const s = Math.round(left / r);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${s}s`;
}

/** Prompt plus completion tokens, shortened (12.3k, 4.5M). */
export function formatTokens(c: Counters): string {
  const t = c.promptTokens + c.completionTokens;
  return t >= 1e6 ? `${(t / 1e6).toFixed(1)}M` : t >= 1e3 ? `${(t / 1e3).toFixed(1)}k` : String(t);
}

export function describe(c: StageCounters): string {
  return `${c.stage.padEnd(9)} ${c.done}/${c.total} · ${rate(c).toFixed(1)}/s · ETA ${eta(c)} · resumed ${c.resumed} · cache hits ${c.cacheHits} · errors ${c.failed} · retries ${c.retries} · tokens ${formatTokens(c)}`;
}

/** How a kind of counters is drawn: as a log line, and as a bar (format and its values). */
export interface CountersView<C extends Counters> {
  describe: (c: C) => string;
  format: string;
  payload: (c: C) => Record<string, unknown>;
}

/**
 * Draws counters: bars on a terminal, a line every few seconds otherwise (CI logs).
 * Returns a stop function that prints the final state.
 */
export function drawCounters<C extends Counters>(
  counters: readonly C[],
  stream: NodeJS.WriteStream,
  view: CountersView<C>,
): () => void {
  if (!stream.isTTY) {
    const timer = setInterval(() => {
      for (const c of counters) stream.write(`${view.describe(c)}\n`);
    }, 5000);
    timer.unref();
    return () => {
      clearInterval(timer);
      for (const c of counters) stream.write(`${view.describe(c)}\n`);
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: view.format,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 16,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = counters.map((c) => multi.create(Math.max(c.total, 1), c.done, view.payload(c)));
  const update = () => {
    counters.forEach((c, i) => {
      bars[i]!.setTotal(Math.max(c.total, 1));
      bars[i]!.update(c.done, view.payload(c));
    });
  };
  const timer = setInterval(update, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    update();
    multi.stop();
  };
}

/**
 * Draws the stages' counters: bars on a terminal, a line every few seconds
 * otherwise (CI logs). Returns a stop function that prints the final state.
 */
export function showProgress(
  progress: AuditProgress,
  stream: NodeJS.WriteStream = process.stderr,
): () => void {
  const stages = [
    progress.generate,
    progress.judge,
    ...(progress.challenge ? [progress.challenge] : []),
    ...(progress.pressure ? [progress.pressure] : []),
  ];
  return drawCounters(stages, stream, {
    describe,
    format:
      "{stage} {bar} {value}/{total} {rate}/s ETA {etaText} · errors {failed} · retries {retries} · tokens {tokens} · resumed {resumed} · cache hits {cacheHits}",
    payload,
  });
}

function payload(c: StageCounters) {
  return {
    stage: c.stage.padEnd(9),
    rate: rate(c).toFixed(1),
    etaText: eta(c),
    resumed: c.resumed,
    cacheHits: c.cacheHits,
    failed: c.failed,
    retries: c.retries,
    tokens: formatTokens(c),
  };
}
