/**
 * `candor view <run>`: a local, read-only web app over a run store, on
 * 127.0.0.1 only. Runs until Ctrl+C.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { CandorError } from "../../errors.js";
import { resolveRun } from "../../report/run-path.js";
import { RUN_DB } from "../../stages/audit.js";
import type { RunningViewer } from "../../viewer/server.js";

interface ViewCliOptions {
  port: string;
  judge?: string;
}

/** Starts the viewer and resolves when `signal` aborts (the command passes SIGINT/SIGTERM). */
export async function runView(
  run: string,
  opts: { port?: number; judge?: string },
  signal: AbortSignal,
  onReady: (v: RunningViewer) => void = () => {},
): Promise<void> {
  // The viewer's web stack loads only for `candor view` (see providers/sdk.ts on start-up cost).
  if (isRunFolder(run)) {
    const { startIndexViewer } = await import("../../viewer/index-app.js");
    const index = await startIndexViewer(run, opts.port !== undefined ? { port: opts.port } : {});
    onReady(index);
    await untilAborted(signal);
    await index.close();
    return;
  }
  const loc = resolveRun(run);
  const { startViewer } = await import("../../viewer/server.js");
  const viewer = await startViewer(loc.file, {
    ...(opts.port !== undefined && { port: opts.port }),
    ...(opts.judge !== undefined && { judge: opts.judge }),
    onUpgrade: (from) =>
      process.stderr.write(
        `candor view: indexing ${loc.file} for the viewer (schema ${from} → current; responses are not changed)…\n`,
      ),
  });
  onReady(viewer);
  await untilAborted(signal);
  await viewer.close();
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** A folder that is not itself a run: `candor view` shows an index of the runs under it. */
function isRunFolder(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  return st?.isDirectory() === true && !existsSync(join(path, RUN_DB));
}

export function registerView(program: Command): void {
  program
    .command("view")
    .description("Browse a run in a local, read-only web app (127.0.0.1 only)")
    .argument("<run>", "run directory (or its run.sqlite), or a folder of runs for an index")
    .option("-p, --port <port>", "port on 127.0.0.1 (0 = any free port)", "8642")
    .option(
      "--judge <id>",
      "show this judge's verdicts by default (default: the run's configured judge)",
    )
    .action(async (run: string, opts: ViewCliOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CandorError(`--port must be an integer from 0 to 65535, got '${opts.port}'`);
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        await runView(
          run,
          { port, ...(opts.judge !== undefined && { judge: opts.judge }) },
          controller.signal,
          (v) => process.stdout.write(`candor view: ${v.url}  (read-only; Ctrl+C to stop)\n`),
        );
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
          throw new CandorError(
            `port ${port} on 127.0.0.1 is in use; pick another with --port (0 = any free port)`,
          );
        }
        throw err;
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
