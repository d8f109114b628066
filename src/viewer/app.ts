/**
 * `candor view`: a local, read-only web app over one run store (Hono).
 *
 * - the store is opened read-only (query_only); nothing here writes;
 * - only GET/HEAD; a Host check refuses any name but loopback (so a web page
 *   cannot reach the viewer through DNS rebinding);
 * - no script anywhere and a CSP that forbids it, behind escaping every
 *   string from the store (model output and judge rationales are untrusted).
 */

import { Hono } from "hono";
import type { AuditConfig } from "../config/schema.js";
import { CandorError } from "../errors.js";
import { runJudgeId } from "../judge/run-judge.js";
import { readRunConfig } from "../store/run-config.js";
import { RunStore } from "../store/run-store.js";
import { readOnlyLoopback } from "./guard.js";
import {
  type ListState,
  listPage,
  messagePage,
  type PageContext,
  type PairView,
  pairPage,
  STYLE,
  trialPage,
} from "./pages.js";
import { type TrialFilter, VERDICTS, type VerdictFilter, ViewerQueries } from "./queries.js";

export { VIEWER_CSP } from "./guard.js";

export interface ViewerOptions {
  /** Verdicts shown by default (default: the judge the run's config names). */
  judge?: string;
  pageSize?: number;
  /** See ViewerQueries: rows up to which a search term or verdict is walked directly. */
  driveLimit?: number;
}

export interface Viewer {
  app: Hono;
  queries: ViewerQueries;
  close(): void;
}

function readState(q: (k: string) => string | undefined, facets: PageContext["facets"]): ListState {
  const pick = (k: string, allowed: readonly string[]) => {
    const v = q(k);
    return v && allowed.includes(v) ? v : undefined;
  };
  const state: ListState = {};
  const task = pick("task", facets.tasks);
  const context = pick("context", facets.contexts);
  const belief = pick("belief", facets.beliefs);
  const subject = pick("subject", facets.subjects);
  const verdict = pick("verdict", VERDICTS) as VerdictFilter | undefined;
  const judge = pick("judge", facets.judges);
  const search = q("q")?.slice(0, 500).trim();
  const cursor = q("cursor");
  if (task) state.task = task;
  if (context) state.context = context;
  if (belief) state.belief = belief;
  if (subject) state.subject = subject;
  if (verdict) state.verdict = verdict;
  if (judge) state.judge = judge;
  if (search) state.q = search;
  if (cursor) state.cursor = cursor;
  return state;
}

export function createViewer(file: string, opts: ViewerOptions = {}): Viewer {
  const store = RunStore.open(file, { readonly: true });
  let config: AuditConfig;
  try {
    config = readRunConfig(store);
  } catch (err) {
    store.close();
    throw err;
  }
  const defaultJudge = opts.judge ?? runJudgeId(config);
  const compare = config.compare.flatMap((c) =>
    c.treatments.map((t) => ({ reference: c.reference, treatment: t })),
  );
  const queries = new ViewerQueries(store.db, defaultJudge, compare, opts.driveLimit);
  const pageSize = opts.pageSize ?? 50;
  const ctx = (judge: string): PageContext => ({
    runName: config.name,
    judge,
    facets: queries.facets(),
  });

  const app = new Hono();
  app.use("*", readOnlyLoopback);

  app.get("/assets/style.css", (c) =>
    c.body(STYLE, 200, { "content-type": "text/css; charset=utf-8" }),
  );

  const listOf = (state: ListState) => {
    const filter: TrialFilter = { ...state };
    const judge = state.judge ?? defaultJudge;
    const t0 = performance.now();
    const page = queries.list(filter, judge, state.cursor, pageSize);
    return { page, judge, ms: performance.now() - t0 };
  };

  app.get("/", (c) => {
    const state = readState((k) => c.req.query(k), queries.facets());
    const { page, judge, ms } = listOf(state);
    return c.html(listPage(ctx(judge), state, page, ms));
  });

  app.get("/api/trials", (c) => {
    const state = readState((k) => c.req.query(k), queries.facets());
    const { page, judge, ms } = listOf(state);
    return c.json({ judge, ms, ...page });
  });

  app.get("/api/facets", (c) => c.json({ judge: defaultJudge, ...queries.facets() }));

  app.get("/trial/:id", (c) => {
    const t = queries.trial(c.req.param("id"));
    if (!t)
      return c.html(
        messagePage(ctx(defaultJudge), "Not found", "No trial with this id in this run."),
        404,
      );
    return c.html(trialPage(ctx(defaultJudge), t));
  });

  app.get("/api/trial/:id", (c) => {
    const t = queries.trial(c.req.param("id"));
    return t ? c.json(t) : c.json({ error: "no such trial" }, 404);
  });

  const pairOf = (id: string, withSubject: string | undefined): PairView | null => {
    const here = queries.trial(id);
    if (!here) return null;
    const all = queries.counterparts(id);
    // Reference on the left; on the right the requested subject, this trial's, or the first treatment.
    const pairFor =
      compare.find((p) => p.treatment === here.subject) ??
      compare.find(
        (p) => p.reference === here.subject && (!withSubject || p.treatment === withSubject),
      ) ??
      compare.find((p) => p.reference === here.subject);
    let left = pairFor?.reference ?? all[0]?.subject ?? here.subject;
    let right = withSubject ?? (here.subject === left ? pairFor?.treatment : here.subject);
    if (withSubject && withSubject === left) {
      left = here.subject;
      right = withSubject;
    }
    const idOf = (s: string | undefined) => all.find((a) => a.subject === s)?.id;
    const sides: PairView["sides"] = [];
    const leftId = idOf(left);
    const rightId = idOf(right);
    const roleOf = (s: string) =>
      compare.some((p) => p.reference === s)
        ? "Reference"
        : compare.some((p) => p.treatment === s)
          ? "Treatment"
          : "Subject";
    for (const [sid, subject] of [
      [leftId, left],
      [rightId, right],
    ] as const) {
      if (!sid || !subject) continue;
      const t = sid === here.id ? here : queries.trial(sid);
      if (t && !sides.some((s) => s.trial.id === t.id))
        sides.push({ role: roleOf(subject), trial: t });
    }
    if (sides.length === 0) sides.push({ role: roleOf(here.subject), trial: here });
    return { sides, others: all.filter((a) => !sides.some((s) => s.trial.id === a.id)) };
  };

  app.get("/pair/:id", (c) => {
    const view = pairOf(c.req.param("id"), c.req.query("with"));
    if (!view)
      return c.html(
        messagePage(ctx(defaultJudge), "Not found", "No trial with this id in this run."),
        404,
      );
    return c.html(pairPage(ctx(defaultJudge), view));
  });

  app.get("/api/pair/:id", (c) => {
    const view = pairOf(c.req.param("id"), c.req.query("with"));
    return view ? c.json(view) : c.json({ error: "no such trial" }, 404);
  });

  app.notFound((c) => c.html(messagePage(ctx(defaultJudge), "Not found", "No such page."), 404));
  app.onError((err, c) => {
    const message =
      err instanceof CandorError ? err.message : "The viewer hit an error; see the terminal.";
    if (!(err instanceof CandorError))
      process.stderr.write(`candor view: ${err.stack ?? String(err)}\n`);
    return c.html(messagePage(ctx(defaultJudge), "Error", message), 500);
  });

  return { app, queries, close: () => store.close() };
}
