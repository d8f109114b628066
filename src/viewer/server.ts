/**
 * Serves the viewer on the loopback interface only, after bringing an older
 * run store up to the current schema (the viewer's indexes and search index
 * are migration 3; the data itself is never changed).
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { openDb } from "../store/open.js";
import { MIGRATIONS } from "../store/schema.js";
import { createViewer, type ViewerOptions } from "./app.js";

export const VIEWER_HOST = "127.0.0.1";

export interface RunningViewer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Applies pending migrations (indexes, FTS) so filters and search are fast.
 * Returns false when the file cannot be written (the viewer then works
 * without the search index, searching by substring).
 */
export function upgradeForViewing(file: string, onUpgrade?: (from: number) => void): boolean {
  const probe = openDb(file, { readonly: true });
  const version = probe.pragma("user_version", { simple: true }) as number;
  probe.close();
  if (version >= MIGRATIONS.length) return true;
  onUpgrade?.(version);
  try {
    openDb(file).close();
    return true;
  } catch {
    return false;
  }
}

export async function startViewer(
  file: string,
  opts: ViewerOptions & { port?: number; onUpgrade?: (from: number) => void } = {},
): Promise<RunningViewer> {
  upgradeForViewing(file, opts.onUpgrade);
  const viewer = createViewer(file, opts);
  return listenOnLoopback(viewer, opts.port);
}

/** Serves a viewer (one run or a folder index) on 127.0.0.1; closing also closes the viewer. */
export async function listenOnLoopback(
  viewer: { app: { fetch: (req: Request) => Response | Promise<Response> }; close(): void },
  port = 0,
): Promise<RunningViewer> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: viewer.app.fetch, port, hostname: VIEWER_HOST }, () => resolve(s));
    s.once("error", reject);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${VIEWER_HOST}:${bound}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          viewer.close();
          resolve();
        });
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
