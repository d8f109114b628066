/**
 * Read-only queries behind `candor view`, built for runs of 500,000+ trials:
 * keyset pagination (never OFFSET), filters that SQLite answers from indexes
 * (migration 3), full-text search through the FTS5 index of responses, and
 * counts that stop at a cap instead of scanning everything.
 */
import type { Db } from "../store/open.js";
import { BELIEFS, CONTEXTS } from "../types.js";
import { type Cursor, parseCursor } from "./cursor.js";
import type { Facets, ListPage, ListRow, TrialDetail, TrialFilter } from "./query-types.js";
import { ftsQuery, tokenize } from "./search-terms.js";
import { readCounterparts, readTrial } from "./trial-detail.js";

export { parseCursor } from "./cursor.js";
export type {
  Facets,
  ListPage,
  ListRow,
  TrialDetail,
  TrialFilter,
  VerdictFilter,
} from "./query-types.js";
export { VERDICTS } from "./query-types.js";
export { ftsQuery, tokenize } from "./search-terms.js";

export const SNIPPET_CHARS = 240;
/** Counting stops here ("more than 10,000"). */
export const COUNT_CAP = 10_000;
/** …or after this long ("at least N"), so a count never makes a page slow. */
export const COUNT_BUDGET_MS = 150;
/** A search term or verdict with at most this many rows is walked directly. */
export const DRIVE_LIMIT = 20_000;

interface QueryPlan {
  /** Which rowid orders the rows: t = trials (plan order), r = responses (FTS order). */
  mode: "t" | "r";
  key: string;
  from: string;
  where: string[];
  params: Record<string, unknown>;
}

function cut(text: string, n: number): string {
  const chars = [...text.slice(0, n * 2)];
  return chars.length > n ? `${chars.slice(0, n).join("")}…` : chars.join("");
}

export class ViewerQueries {
  private facetsCache: Facets | undefined;
  private matchCache: { match: string; maxRowid: number; bits: Uint8Array } | undefined;
  /** The set `candor_match(rowid)` tests against in the query being run. */
  private activeMatches: Uint8Array = new Uint8Array(0);

  constructor(
    readonly db: Db,
    readonly defaultJudge: string,
    private readonly compare: { reference: string; treatment: string }[],
    /** Rows up to which a search term or verdict is walked directly (tests lower it). */
    private readonly driveLimit = DRIVE_LIMIT,
  ) {
    db.function("candor_match", { deterministic: false, varargs: false }, (rowid: unknown) =>
      typeof rowid === "number" && this.activeMatches[rowid] === 1 ? 1 : 0,
    );
  }

  hasSearchIndex(): boolean {
    return (
      this.db
        .prepare(
          "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'responses_fts'",
        )
        .pluck()
        .get() === 1
    );
  }

  /** Filter choices: computed once (from small tables and indexes). */
  facets(): Facets {
    if (this.facetsCache) return this.facetsCache;
    const col = (sql: string) => this.db.prepare(sql).pluck().all() as string[];
    const contexts = col("SELECT DISTINCT context FROM trials");
    const beliefs = col("SELECT DISTINCT belief FROM trials");
    this.facetsCache = {
      subjects: col("SELECT id FROM subjects ORDER BY rowid"),
      tasks: col("SELECT DISTINCT task FROM items ORDER BY task"),
      contexts: CONTEXTS.filter((c) => contexts.includes(c)),
      beliefs: BELIEFS.filter((b) => beliefs.includes(b)),
      judges: col("SELECT DISTINCT judge FROM judgments ORDER BY judge"),
      compare: this.compare,
      hasSearch: this.hasSearchIndex(),
    };
    return this.facetsCache;
  }

  private trialWhere(f: TrialFilter, params: Record<string, unknown>): string[] {
    const w: string[] = [];
    for (const [key, column] of [
      ["task", "t.task"],
      ["context", "t.context"],
      ["belief", "t.belief"],
      ["subject", "t.subject_id"],
    ] as const) {
      const v = f[key];
      if (v) {
        w.push(`${column} = @${key}`);
        params[key] = v;
      }
    }
    if (f.verdict === "none") w.push("j.trial_id IS NULL");
    else if (f.verdict) {
      w.push("j.label = @verdict");
      params.verdict = f.verdict;
    }
    return w;
  }

  /** Upper bound of the responses a search can match, from the FTS vocabulary (document counts). */
  searchDocs(match: string): number {
    const vocab = this.db.prepare("SELECT doc FROM responses_fts_vocab WHERE term = ?").pluck();
    const prefix = this.db
      .prepare(
        `SELECT coalesce(sum(doc), 0) FROM (SELECT doc FROM responses_fts_vocab
         WHERE term >= ? AND term < ? LIMIT 200)`,
      )
      .pluck();
    let bound = Number.POSITIVE_INFINITY;
    for (const m of match.matchAll(/"((?:[^"]|"")*)"(\*?)/g)) {
      const tokens = tokenize(m[1]!.replace(/""/g, '"'));
      tokens.forEach((tok, k) => {
        const isPrefix = m[2] === "*" && k === tokens.length - 1;
        const docs = isPrefix
          ? (prefix.get(tok, `${tok}\u{10ffff}`) as number)
          : ((vocab.get(tok) as number | undefined) ?? 0);
        bound = Math.min(bound, docs);
      });
    }
    return Number.isFinite(bound) ? bound : 0;
  }

  /** Rowids of responses matching an FTS query, as a bitmap; cached until new responses arrive. */
  private matchSet(match: string): Uint8Array {
    const maxRowid =
      (this.db.prepare("SELECT max(rowid) FROM responses").pluck().get() as number | null) ?? 0;
    const cached = this.matchCache;
    if (cached && cached.match === match && cached.maxRowid === maxRowid) return cached.bits;
    const bits = new Uint8Array(maxRowid + 1);
    const ids = this.db
      .prepare("SELECT rowid FROM responses_fts WHERE responses_fts MATCH ?")
      .pluck()
      .all(match) as number[];
    for (const id of ids) if (id <= maxRowid) bits[id] = 1;
    this.matchCache = { match, maxRowid, bits };
    return bits;
  }

  /** Responses without a verdict from `judge` (responses minus that judge's verdicts). */
  private unjudgedCount(judge: string): number {
    const responses = this.db.prepare("SELECT count(*) FROM responses").pluck().get() as number;
    const judged = this.db
      .prepare("SELECT count(*) FROM judgments WHERE judge = ?")
      .pluck()
      .get(judge) as number;
    return Math.max(0, responses - judged);
  }

  private labelCount(judge: string, label: string): number {
    return this.db
      .prepare("SELECT count(*) FROM judgments WHERE judge = ? AND label = ?")
      .pluck()
      .get(judge, label) as number;
  }

  /**
   * Chooses how to walk the rows so a page costs little whatever the filters:
   * - a rare search term: walk its FTS matches (bounded by their number);
   * - a rare verdict: walk that verdict's index entries, then order them;
   * - otherwise: walk trials in plan order through the most selective trial
   *   index, checking the verdict and (per row, through the FTS index) the search.
   */
  private plan(f: TrialFilter, judge: string, cursor: Cursor | null): QueryPlan {
    const params: Record<string, unknown> = { judge };
    const where = this.trialWhere(f, params);
    const hasSearch = this.facets().hasSearch;
    const match = f.q ? ftsQuery(f.q) : null;
    const joinJudgment = (inner: boolean) =>
      `${inner ? "CROSS JOIN" : "LEFT JOIN"} judgments j ON j.trial_id = t.id AND j.judge = @judge`;
    const innerVerdict = f.verdict !== undefined && f.verdict !== "none";
    if (match !== null && !hasSearch) {
      // A store that could not be upgraded (read-only file): substring search.
      where.push("r.text LIKE @like ESCAPE '\\'");
      params.like = `%${f.q!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (match !== null && hasSearch) {
      params.match = match;
      const filtered = where.length > 0;
      const ftsFirst = cursor
        ? cursor.mode === "r"
        : !filtered || this.searchDocs(match) <= this.driveLimit;
      if (ftsFirst) {
        return {
          mode: "r",
          key: "f.rowid",
          from: `responses_fts f CROSS JOIN responses r ON r.rowid = f.rowid
                 CROSS JOIN trials t ON t.id = r.trial_id ${joinJudgment(innerVerdict)}`,
          where: ["responses_fts MATCH @match", ...where],
          params,
        };
      }
      // A common term with filters: walk the filtered trials and test each response against
      // the set of matching response rowids (built once per search, then reused by every page).
      this.activeMatches = this.matchSet(match);
      delete params.match;
      where.push("candor_match(r.rowid)");
    }
    if (f.verdict === "none" && this.unjudgedCount(judge) === 0) {
      // Everything has a verdict from this judge: nothing to walk.
      return {
        mode: "t",
        key: "t.rowid",
        from: `trials t CROSS JOIN responses r ON r.trial_id = t.id ${joinJudgment(false)}`,
        where: ["0"],
        params: { judge },
      };
    }
    if (innerVerdict && this.labelCount(judge, f.verdict!) <= this.driveLimit) {
      return {
        mode: "t",
        key: "t.rowid",
        from: `judgments j CROSS JOIN trials t ON t.id = j.trial_id
               CROSS JOIN responses r ON r.trial_id = t.id`,
        where: ["j.judge = @judge", ...where],
        params,
      };
    }
    return {
      mode: "t",
      key: "t.rowid",
      from: `trials t CROSS JOIN responses r ON r.trial_id = t.id ${joinJudgment(innerVerdict)}`,
      where,
      params,
    };
  }

  /**
   * One page of responses, in plan order (trial rowid: task, item, condition,
   * subject, so a reference and its treatments sit together), or in response
   * order when walking a rare search term's matches.
   */
  list(f: TrialFilter, judge: string, cursorRaw: string | undefined, limit = 50): ListPage {
    let cursor = parseCursor(cursorRaw);
    if (cursor?.mode === "r" && !(f.q && ftsQuery(f.q) && this.facets().hasSearch)) cursor = null;
    const plan = this.plan(f, judge, cursor);
    const where = [...plan.where];
    const params: Record<string, unknown> = { ...plan.params, limit: limit + 1 };
    if (cursor) {
      where.push(`${plan.key} ${cursor.dir === "after" ? ">" : "<"} @cursor`);
      params.cursor = cursor.key;
    }
    const backwards = cursor?.dir === "before";
    const sql = `SELECT ${plan.key} AS key, t.id, t.subject_id AS subject, t.task, t.item_id AS itemId, t.context,
                        t.belief, t.sample, j.label, substr(r.text, 1, ${SNIPPET_CHARS * 2}) AS snippet,
                        length(r.text) AS length
                 FROM ${plan.from}
                 ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY ${plan.key} ${backwards ? "DESC" : "ASC"} LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as ListRow[];
    const more = rows.length > limit;
    if (more) rows.pop();
    if (backwards) rows.reverse();
    for (const r of rows) r.snippet = cut(r.snippet ?? "", SNIPPET_CHARS);
    const first = rows[0]?.key;
    const last = rows.at(-1)?.key;
    const hasNext = backwards ? cursor !== null : more;
    const hasPrev = backwards ? more : cursor !== null && rows.length > 0;
    return {
      rows,
      next: hasNext && last !== undefined ? `a${plan.mode}${last}` : null,
      prev: hasPrev && first !== undefined ? `b${plan.mode}${first}` : null,
      ...this.count(plan),
    };
  }

  /** Counts matches up to COUNT_CAP or for at most COUNT_BUDGET_MS, whichever comes first. */
  private count(plan: QueryPlan): { total: number; exact: boolean } {
    const sql = `SELECT 1 FROM ${plan.from} ${plan.where.length ? `WHERE ${plan.where.join(" AND ")}` : ""}`;
    const deadline = performance.now() + COUNT_BUDGET_MS;
    let n = 0;
    const it = this.db.prepare(sql).pluck().iterate(plan.params);
    try {
      for (const _ of it) {
        n++;
        if (n > COUNT_CAP) return { total: COUNT_CAP, exact: false };
        if ((n & 255) === 0 && performance.now() > deadline) return { total: n, exact: false };
      }
    } finally {
      it.return?.();
    }
    return { total: n, exact: true };
  }

  trial(id: string): TrialDetail | null {
    return readTrial(this.db, id);
  }

  /** The same item and condition answered by every subject: ids in subject order. */
  counterparts(id: string): { subject: string; id: string }[] {
    return readCounterparts(this.db, id);
  }
}
