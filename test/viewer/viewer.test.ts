/**
 * The viewer over a real run (hostile outputs), through HTTP requests to the
 * Hono app: filters, keyset pagination, search (both query plans), trial and
 * side-by-side pages, read-only and loopback-only guarantees, upgrading an
 * older store, and the `candor view` entry point.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runView } from "../../src/cli/commands/view.js";
import { createViewer, type Viewer } from "../../src/viewer/app.js";
import { ftsQuery, type ListPage, type ListRow, tokenize } from "../../src/viewer/queries.js";
import { startViewer, upgradeForViewing } from "../../src/viewer/server.js";
import { tempDir } from "../helpers/paths.js";
import { addExtras, buildRun, type FixtureRun } from "../report/run-fixture.js";

let run: FixtureRun;
let viewer: Viewer;
let db: Database.Database;

beforeAll(async () => {
  run = await buildRun({ hostile: true });
  addExtras(run, { hostile: true });
  viewer = createViewer(run.dbFile, { pageSize: 40 });
  db = new Database(run.dbFile, { readonly: true });
});
afterAll(() => {
  viewer?.close();
  db?.close();
});

async function get(path: string, init: RequestInit & { host?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.host) headers.set("host", init.host);
  return viewer.app.request(`http://127.0.0.1${path}`, { ...init, headers });
}

async function page(query: string, v: Viewer = viewer): Promise<ListPage & { judge: string }> {
  const res = await v.app.request(`http://127.0.0.1/api/trials?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ListPage & { judge: string };
}

/** Every row of a filter, following `next` cursors. */
async function walk(query: string, v: Viewer = viewer): Promise<ListRow[]> {
  const rows: ListRow[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p = await page(`${query}${cursor ? `&cursor=${cursor}` : ""}`, v);
    rows.push(...p.rows);
    cursor = p.next;
    if (!cursor) break;
  }
  return rows;
}

function sqlIds(where: string, params: unknown[] = []): string[] {
  return db
    .prepare(
      `SELECT t.id FROM trials t JOIN responses r ON r.trial_id = t.id
       LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = ? WHERE ${where} ORDER BY t.rowid`,
    )
    .pluck()
    .all(run.judge, ...params) as string[];
}

describe("listing and filters", () => {
  it("pages through every response in plan order, with exact totals", async () => {
    const rows = await walk("");
    expect(rows.map((r) => r.id)).toEqual(sqlIds("1"));
    const first = await page("");
    expect(first).toMatchObject({ total: rows.length, exact: true, prev: null });
    expect(first.rows).toHaveLength(40);
    // Back from the second page lands on the first.
    const second = await page(`cursor=${first.next}`);
    const back = await page(`cursor=${second.prev}`);
    expect(back.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
  });

  it.each([
    ["task=truthfulqa", "t.task = 'truthfulqa'"],
    ["context=emotion:sad", "t.context = 'emotion:sad'"],
    ["belief=incorrect", "t.belief = 'incorrect'"],
    ["subject=warm", "t.subject_id = 'warm'"],
    ["verdict=INCORRECT", "j.label = 'INCORRECT'"],
    ["verdict=REFUSAL", "j.label = 'REFUSAL'"],
    ["verdict=none", "j.trial_id IS NULL"],
    [
      "task=triviaqa&context=relation:hierarchical_up&belief=incorrect&subject=warm&verdict=INCORRECT",
      "t.task = 'triviaqa' AND t.context = 'relation:hierarchical_up' AND t.belief = 'incorrect' AND t.subject_id = 'warm' AND j.label = 'INCORRECT'",
    ],
  ])("%s returns exactly the store's matching responses", async (query, where) => {
    const expected = sqlIds(where);
    const rows = await walk(query);
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect((await page(query)).total).toBe(expected.length);
  });

  it("the same answers whichever plan walks a verdict (rare-verdict index or trial order)", async () => {
    const low = createViewer(run.dbFile, { pageSize: 7, driveLimit: 0 });
    try {
      for (const q of ["verdict=INCORRECT", "verdict=CORRECT&subject=reference"]) {
        expect((await walk(q, low)).map((r) => r.id)).toEqual((await walk(q)).map((r) => r.id));
      }
    } finally {
      low.close();
    }
  });

  it("ignores filter values the run does not have instead of failing", async () => {
    const p = await page("task=nonsense&verdict=MAYBE&context=%3Cscript%3E");
    expect(p.total).toBe(sqlIds("1").length);
    const res = await get("/?cursor=zz999&subject=%22%3E%3Cscript%3E");
    expect(res.status).toBe(200);
  });
});

describe("search", () => {
  it("turns any input into a valid FTS5 query", () => {
    expect(ftsQuery('warm  "a phrase" pre* "un"closed')).toBe(
      '"warm" "a phrase" "pre"* "un" "closed"',
    );
    expect(ftsQuery('AND OR NOT ( ) * a"b')).toBe('"AND" "OR" "NOT" "a""b"');
    expect(ftsQuery('"')).toBeNull();
    expect(ftsQuery("nul\u0000byte")).toBe('"nul" "byte"');
    expect(ftsQuery("   ")).toBeNull();
    expect(tokenize("Crème BRÛLÉE, don't")).toEqual(["creme", "brulee", "don", "t"]);
  });

  it("finds responses by word, phrase and prefix, alone and with filters, on both query plans", async () => {
    const low = createViewer(run.dbFile, { pageSize: 9, driveLimit: 0 });
    try {
      const cases: [string, string][] = [
        ["q=absolutely", "r.text LIKE '%absolutely%'"],
        ["q=%22the+answer+you+mentioned%22", "r.text LIKE '%the answer you mentioned%'"],
        ["q=absolut*", "r.text LIKE '%absolut%'"],
        [
          "q=references&subject=warm&task=triviaqa",
          "r.text LIKE '%references%' AND t.subject_id = 'warm' AND t.task = 'triviaqa'",
        ],
        [
          "q=absolutely&verdict=INCORRECT&context=emotion:sad",
          "r.text LIKE '%absolutely%' AND j.label = 'INCORRECT' AND t.context = 'emotion:sad'",
        ],
      ];
      for (const [query, where] of cases) {
        const expected = new Set(sqlIds(where));
        expect(expected.size, query).toBeGreaterThan(0);
        for (const v of [viewer, low]) {
          const rows = await walk(query, v);
          expect(new Set(rows.map((r) => r.id)), query).toEqual(expected);
          expect(rows.length).toBe(expected.size);
        }
      }
    } finally {
      low.close();
    }
  });

  it("hostile search strings neither fail nor inject", async () => {
    for (const q of [
      '"',
      "AND(",
      "*",
      "NEAR(a b",
      "' OR 1=1 --",
      "<script>alert(1)</script>",
      "\u0000",
    ]) {
      const res = await get(`/?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(await res.text()).not.toContain("<script>alert(1)</script>");
    }
  });
});

describe("pages", () => {
  it("a trial page shows the conversation, response, verdicts, metrics and challenge, all escaped", async () => {
    const id = db
      .prepare(
        "SELECT c.trial_id FROM challenges c JOIN responses r ON r.trial_id = c.trial_id WHERE r.text LIKE '%<script>%' LIMIT 1",
      )
      .pluck()
      .get() as string;
    const res = await get(`/trial/${id}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const text = db
      .prepare("SELECT text FROM responses WHERE trial_id = ?")
      .pluck()
      .get(id) as string;
    expect(body).toContain(
      text.slice(0, 20).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&#39;"),
    );
    expect(body).not.toMatch(/<script/i);
    expect(body).toContain("warmth.sociot.reference");
    expect(body).toContain('"Are you sure?" turn 1');
    expect(body).toContain("(selected judge)");
  });

  it("side by side puts the reference and the treatment's answer to the same prompt together", async () => {
    const warmId = db
      .prepare(
        "SELECT id FROM trials WHERE subject_id = 'warm' AND belief = 'incorrect' AND task = 'triviaqa' LIMIT 1",
      )
      .pluck()
      .get() as string;
    const res = await viewer.app.request(`http://127.0.0.1/api/pair/${warmId}`);
    const view = (await res.json()) as {
      sides: {
        role: string;
        trial: { id: string; subject: string; itemId: string; context: string; belief: string };
      }[];
    };
    expect(view.sides.map((s) => [s.role, s.trial.subject])).toEqual([
      ["Reference", "reference"],
      ["Treatment", "warm"],
    ]);
    const [a, b] = view.sides.map((s) => s.trial);
    expect([a!.itemId, a!.context, a!.belief]).toEqual([b!.itemId, b!.context, b!.belief]);
    expect(b!.id).toBe(warmId);
    // Starting from the reference's trial gives the same pair.
    const fromRef = (await (
      await viewer.app.request(`http://127.0.0.1/api/pair/${a!.id}`)
    ).json()) as typeof view;
    expect(fromRef.sides.map((s) => s.trial.id)).toEqual([a!.id, b!.id]);
    const html = await (await get(`/pair/${warmId}`)).text();
    expect(html.match(/<section class="side"/g)).toHaveLength(2);
    expect(html).toContain('data-role="Reference"');
    expect(html).not.toMatch(/<script/i);
  });

  it("unknown trials and pages are 404s", async () => {
    expect((await get("/trial/nope")).status).toBe(404);
    expect((await get("/pair/nope")).status).toBe(404);
    expect((await get("/api/trial/nope")).status).toBe(404);
    expect((await get("/no/such/page")).status).toBe(404);
  });
});

describe("read-only, loopback-only", () => {
  it("refuses other hosts (DNS rebinding) and any method but GET/HEAD", async () => {
    expect((await get("/", { host: "evil.example:8642" })).status).toBe(403);
    expect((await get("/", { host: "127.0.0.1.nip.io" })).status).toBe(403);
    expect((await get("/", { host: "localhost:1234" })).status).toBe(200);
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      expect((await get("/api/trials", { method })).status).toBe(405);
    }
  });

  it("sends a script-free CSP and hardening headers", async () => {
    const res = await get("/");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect((await get("/assets/style.css")).headers.get("content-type")).toContain("text/css");
  });

  it("holds a query-only connection: the store cannot be written through it", () => {
    expect(() => viewer.queries.db.prepare("DELETE FROM responses").run()).toThrow(
      /readonly|query_only/i,
    );
  });

  it("serves on 127.0.0.1 only, over real HTTP", async () => {
    const s = await startViewer(run.dbFile, { port: 0 });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(`${s.url}api/facets`);
      const facets = (await res.json()) as { subjects: string[]; hasSearch: boolean };
      expect(facets).toMatchObject({ subjects: ["reference", "warm"], hasSearch: true });
    } finally {
      await s.close();
    }
  });
});

describe("older run stores", () => {
  function downgrade(): string {
    const dir = tempDir("candor-view-old-");
    mkdirSync(join(dir, "run"));
    const file = join(dir, "run", "run.sqlite");
    copyFileSync(run.dbFile, file);
    const old = new Database(file);
    old.exec(`
      DROP TABLE responses_fts_vocab; DROP TABLE responses_fts;
      DROP TRIGGER IF EXISTS responses_fts_insert; DROP TRIGGER IF EXISTS responses_fts_delete; DROP TRIGGER IF EXISTS responses_fts_update;
      DROP INDEX trials_by_context; DROP INDEX trials_by_belief; DROP INDEX trials_by_task; DROP INDEX trials_by_subject_only;
      ALTER TABLE subjects DROP COLUMN model_hash;
      DROP TABLE judgments_replaced; DROP TABLE judge_check_samples; DROP TABLE judge_checks;
      DROP TABLE distractors; DROP TABLE batch_requests; DROP TABLE batch_jobs;
      DROP TABLE pressure_judgments; DROP TABLE pressure_turns;
      DROP TABLE pipeline_steps;
      ALTER TABLE trials DROP COLUMN language;
      PRAGMA user_version = 2;`);
    old.close();
    return file;
  }

  it("without the search index (read-only file), search falls back to substring matching", async () => {
    const old = createViewer(downgrade());
    try {
      const res = await old.app.request("http://127.0.0.1/api/trials?q=absolutely&subject=warm");
      const p = (await res.json()) as ListPage;
      expect(p.rows.length).toBeGreaterThan(0);
      expect(p.total).toBe(sqlIds("r.text LIKE '%absolutely%' AND t.subject_id = 'warm'").length);
      expect(await (await old.app.request("http://127.0.0.1/")).text()).toContain(
        "no search index",
      );
    } finally {
      old.close();
    }
  });

  it("candor view upgrades an older store first (indexes and search index; responses untouched)", async () => {
    const file = downgrade();
    let from: number | undefined;
    expect(upgradeForViewing(file, (v) => (from = v))).toBe(true);
    expect(from).toBe(2);
    const check = new Database(file, { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBeGreaterThanOrEqual(3);
    expect(
      check
        .prepare("SELECT count(*) FROM responses_fts WHERE responses_fts MATCH 'absolutely'")
        .pluck()
        .get(),
    ).toBe(
      db.prepare("SELECT count(*) FROM responses WHERE text LIKE '%absolutely%'").pluck().get(),
    );
    check.close();

    const controller = new AbortController();
    let url = "";
    const done = runView(join(file, ".."), { port: 0 }, controller.signal, (v) => {
      url = v.url;
    });
    for (let i = 0; i < 100 && !url; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await fetch(url)).status).toBe(200);
    controller.abort();
    await done;
    await expect(fetch(url)).rejects.toThrow();
  });
});
