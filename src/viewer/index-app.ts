/**
 * `candor view <folder>`: an index of the runs under a folder, and each run's own viewer
 * mounted under /runs/<n>/ (opened on first visit). The run viewers' pages use root-relative
 * links; they are re-rooted here by rewriting the `href="/`, `action="/` and `src="/`
 * attributes candor writes itself (store text is escaped, so it cannot contain `="/`
 * with a raw quote). Same guarantees as one run's viewer: loopback only, GET/HEAD only,
 * no script, read-only stores.
 */
import { join, resolve } from "node:path";
import { Hono } from "hono";
import { RUN_DB } from "../store/run-files.js";
import { createViewer, type Viewer } from "./app.js";
import { readOnlyLoopback } from "./guard.js";
import { indexPage, SORT_KEYS, type SortDir, type SortKey } from "./index-page.js";
import { findRuns, indexRows } from "./index-rows.js";
import { STYLE } from "./pages.js";
import { listenOnLoopback, type RunningViewer, upgradeForViewing } from "./server.js";

function reroot(markup: string, prefix: string): string {
  return markup
    .replace(/(href|action|src)="\//g, `$1="${prefix}/`)
    .replace('<header class="top">', '<header class="top"><a href="/">all runs</a>');
}

export interface IndexViewer {
  app: Hono;
  close(): void;
}

export function createIndexViewer(root: string): IndexViewer {
  const dir = resolve(root);
  const viewers = new Map<number, Viewer>();
  const app = new Hono();
  app.use("*", readOnlyLoopback);
  app.get("/assets/style.css", (c) =>
    c.body(STYLE, 200, { "content-type": "text/css; charset=utf-8" }),
  );
  app.get("/", (c) => {
    const sort = c.req.query("sort");
    const key: SortKey = SORT_KEYS.includes(sort as SortKey) ? (sort as SortKey) : "date";
    const order: SortDir = c.req.query("dir") === "asc" ? "asc" : "desc";
    // Re-read on every visit: an audit may still be adding runs or trials.
    const rows = findRuns(dir).flatMap(indexRows);
    return c.html(indexPage(root, rows, key, order));
  });
  app.get("/api/runs", (c) => c.json(findRuns(dir).flatMap(indexRows)));
  app.all("/runs/:n/*", async (c) => {
    const n = Number(c.req.param("n"));
    const run = findRuns(dir).find((r) => r.index === n);
    if (!Number.isInteger(n) || !run) return c.text("no such run", 404);
    let viewer = viewers.get(n);
    if (!viewer) {
      const file = join(run.dir, RUN_DB);
      upgradeForViewing(file);
      viewer = createViewer(file);
      viewers.set(n, viewer);
    }
    const prefix = `/runs/${n}`;
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(prefix.length) || "/";
    const res = await viewer.app.fetch(new Request(url, { headers: c.req.raw.headers }));
    if (!(res.headers.get("content-type") ?? "").startsWith("text/html")) return res;
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    return new Response(reroot(await res.text(), prefix), { status: res.status, headers });
  });
  return {
    app,
    close: () => {
      for (const v of viewers.values()) v.close();
      viewers.clear();
    },
  };
}

export async function startIndexViewer(
  root: string,
  opts: { port?: number } = {},
): Promise<RunningViewer> {
  const viewer = createIndexViewer(root);
  return listenOnLoopback(viewer, opts.port);
}
