/**
 * The tuning store: one SQLite file per tune output directory (`<out>/tune.sqlite`), WAL
 * mode, its own migrations (PRAGMA user_version), separate from audit run stores.
 *
 * Rewrites, checks and LLM labels are keyed by content (the conversation up to and
 * including the turn), not by position in a selection: a re-run with a larger sample or a
 * new seed reuses every rewrite already made, and nothing is ever rewritten twice.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { contentHash } from "../design/hash.js";
import { CandorError } from "../errors.js";
import { Batcher } from "../store/batcher.js";
import type { PreservationIssue } from "./preserve.js";
import type { QueryType, SelectedConversation, Style, Turn } from "./types.js";

export const TUNE_DB = "tune.sqlite";

export const TUNE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- The current selection (replaced by each prepare step), in selection order.
  CREATE TABLE conversations (
    key TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    file TEXT NOT NULL,
    location TEXT NOT NULL,
    type TEXT NOT NULL,
    label_source TEXT NOT NULL,
    truncated INTEGER NOT NULL,
    turns_json TEXT NOT NULL,
    position INTEGER NOT NULL
  );
  CREATE TABLE labels (
    conversation_key TEXT NOT NULL,
    labeler TEXT NOT NULL,
    type TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_key, labeler)
  );
  CREATE TABLE rewrites (
    turn_key TEXT NOT NULL,
    style TEXT NOT NULL CHECK (style IN ('warm', 'cold')),
    rewriter TEXT NOT NULL,
    text TEXT NOT NULL,
    raw TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (turn_key, style, rewriter)
  );
  CREATE TABLE checks (
    turn_key TEXT NOT NULL,
    style TEXT NOT NULL,
    rewriter TEXT NOT NULL,
    checker TEXT NOT NULL,
    ok INTEGER,
    issues_json TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (turn_key, style, rewriter, checker)
  );
  -- Failures after all retries. Not results: the work stays pending and a re-run tries again.
  CREATE TABLE failures (
    key TEXT NOT NULL,
    stage TEXT NOT NULL,
    style TEXT,
    actor TEXT NOT NULL,
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
];

/** Store key of assistant turn `index`: the conversation up to and including it. */
export function turnKey(turns: readonly Turn[], index: number): string {
  return contentHash(turns.slice(0, index + 1));
}

export interface RewriteRow {
  turnKey: string;
  style: Style;
  rewriter: string;
  text: string;
  raw: string;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
  latencyMs: number;
  createdAt: string;
}

export interface CheckRow {
  turnKey: string;
  style: Style;
  rewriter: string;
  checker: string;
  /** null = the checker's answer could not be read (counts as not passed). */
  ok: boolean | null;
  issues: (
    | PreservationIssue
    | { kind: "claim"; value: string }
    | { kind: "unparseable"; value: string }
  )[];
  raw?: string;
  createdAt: string;
}

export interface LabelRow {
  conversationKey: string;
  labeler: string;
  type: QueryType;
  raw?: string;
  createdAt: string;
}

export interface FailureRow {
  key: string;
  stage: "label" | "rewrite" | "check";
  style?: Style;
  actor: string;
  message: string;
  attempts: number;
}

export interface TuneBatch {
  rewrites?: RewriteRow[];
  checks?: CheckRow[];
  labels?: LabelRow[];
  failures?: FailureRow[];
}

export class TuneStore {
  private constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Opens (creating if needed) a tune store and applies its migrations. */
  static open(file: string): TuneStore {
    mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (err) {
      throw new CandorError(`${file}: cannot open tune store (${(err as Error).message})`);
    }
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > TUNE_MIGRATIONS.length) {
      db.close();
      throw new CandorError(
        `${file}: tune store was written by a newer candor (schema ${version}); upgrade candor`,
      );
    }
    for (let v = version; v < TUNE_MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(TUNE_MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return new TuneStore(db, file);
  }

  close(): void {
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    return this.db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(key) as
      | string
      | undefined;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  /** Replaces the current selection (rewrites, checks and labels are kept). */
  replaceSelection(conversations: readonly SelectedConversation[]): void {
    const insert = this.db.prepare(
      "INSERT INTO conversations (key, id, file, location, type, label_source, truncated, turns_json, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      this.db.exec("DELETE FROM conversations");
      conversations.forEach((c, i) => {
        insert.run(
          c.key,
          c.id,
          c.file,
          c.where,
          c.type,
          c.labelSource,
          c.truncated ? 1 : 0,
          JSON.stringify(c.turns),
          i,
        );
      });
    })();
  }

  selection(): SelectedConversation[] {
    const rows = this.db
      .prepare(
        "SELECT key, id, file, location, type, label_source, truncated, turns_json FROM conversations ORDER BY position",
      )
      .all() as {
      key: string;
      id: string;
      file: string;
      location: string;
      type: QueryType;
      label_source: string;
      truncated: number;
      turns_json: string;
    }[];
    return rows.map((r) => ({
      key: r.key,
      id: r.id,
      file: r.file,
      where: r.location,
      type: r.type,
      labelSource: r.label_source,
      truncated: r.truncated === 1,
      turns: JSON.parse(r.turns_json) as Turn[],
    }));
  }

  /** LLM labels already made by a labeller, by conversation key. */
  labels(labeler: string): Map<string, QueryType> {
    const rows = this.db
      .prepare("SELECT conversation_key, type FROM labels WHERE labeler = ?")
      .all(labeler) as { conversation_key: string; type: QueryType }[];
    return new Map(rows.map((r) => [r.conversation_key, r.type]));
  }

  /** Rewrites of a style by a rewriter, by turn key. */
  rewrites(style: Style, rewriter: string): Map<string, RewriteRow> {
    const rows = this.db
      .prepare(
        "SELECT turn_key, text, raw, finish_reason, prompt_tokens, completion_tokens, latency_ms, created_at FROM rewrites WHERE style = ? AND rewriter = ?",
      )
      .all(style, rewriter) as {
      turn_key: string;
      text: string;
      raw: string;
      finish_reason: string | null;
      prompt_tokens: number | null;
      completion_tokens: number | null;
      latency_ms: number;
      created_at: string;
    }[];
    return new Map(
      rows.map((r) => [
        r.turn_key,
        {
          turnKey: r.turn_key,
          style,
          rewriter,
          text: r.text,
          raw: r.raw,
          ...(r.finish_reason !== null && { finishReason: r.finish_reason }),
          ...(r.prompt_tokens !== null && { promptTokens: r.prompt_tokens }),
          ...(r.completion_tokens !== null && { completionTokens: r.completion_tokens }),
          latencyMs: r.latency_ms,
          createdAt: r.created_at,
        },
      ]),
    );
  }

  /** Checks of a style's rewrites by one checker, by turn key. */
  checks(style: Style, rewriter: string, checker: string): Map<string, CheckRow> {
    const rows = this.db
      .prepare(
        "SELECT turn_key, ok, issues_json, raw, created_at FROM checks WHERE style = ? AND rewriter = ? AND checker = ?",
      )
      .all(style, rewriter, checker) as {
      turn_key: string;
      ok: number | null;
      issues_json: string;
      raw: string | null;
      created_at: string;
    }[];
    return new Map(
      rows.map((r) => [
        r.turn_key,
        {
          turnKey: r.turn_key,
          style,
          rewriter,
          checker,
          ok: r.ok === null ? null : r.ok === 1,
          issues: JSON.parse(r.issues_json) as CheckRow["issues"],
          ...(r.raw !== null && { raw: r.raw }),
          createdAt: r.created_at,
        },
      ]),
    );
  }

  /** The most common failure messages (per-conversation details stripped), most frequent first. */
  commonFailures(limit = 3): { message: string; count: number }[] {
    const counts = new Map<string, number>();
    // The latest failure of each call only: earlier attempts of the same call would be counted twice.
    const latest = this.db
      .prepare(
        `SELECT message FROM failures f WHERE rowid = (
           SELECT max(rowid) FROM failures g WHERE g.key = f.key AND g.stage = f.stage AND g.style IS f.style)`,
      )
      .pluck()
      .all() as string[];
    for (const m of latest) {
      const key = m.replace(/\s*\(conversation [^)]*\)\s*$/, "");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, limit);
  }

  failureCount(stage?: FailureRow["stage"]): number {
    return (
      stage === undefined
        ? this.db.prepare("SELECT count(*) FROM failures").pluck().get()
        : this.db.prepare("SELECT count(*) FROM failures WHERE stage = ?").pluck().get(stage)
    ) as number;
  }

  /** Writes a batch in one transaction; returns the number of rows written. */
  writeBatch(batch: TuneBatch): number {
    const now = new Date().toISOString();
    const rewrite = this.db.prepare(
      "INSERT OR IGNORE INTO rewrites (turn_key, style, rewriter, text, raw, finish_reason, prompt_tokens, completion_tokens, latency_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const check = this.db.prepare(
      "INSERT OR REPLACE INTO checks (turn_key, style, rewriter, checker, ok, issues_json, raw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const label = this.db.prepare(
      "INSERT OR IGNORE INTO labels (conversation_key, labeler, type, raw, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    const failure = this.db.prepare(
      "INSERT INTO failures (key, stage, style, actor, message, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    let n = 0;
    this.db.transaction(() => {
      for (const r of batch.rewrites ?? []) {
        n += rewrite.run(
          r.turnKey,
          r.style,
          r.rewriter,
          r.text,
          r.raw,
          r.finishReason ?? null,
          r.promptTokens ?? null,
          r.completionTokens ?? null,
          r.latencyMs,
          r.createdAt,
        ).changes;
      }
      for (const c of batch.checks ?? []) {
        n += check.run(
          c.turnKey,
          c.style,
          c.rewriter,
          c.checker,
          c.ok === null ? null : c.ok ? 1 : 0,
          JSON.stringify(c.issues),
          c.raw ?? null,
          c.createdAt,
        ).changes;
      }
      for (const l of batch.labels ?? []) {
        n += label.run(l.conversationKey, l.labeler, l.type, l.raw ?? null, l.createdAt).changes;
      }
      for (const f of batch.failures ?? []) {
        n += failure.run(
          f.key,
          f.stage,
          f.style ?? null,
          f.actor,
          f.message,
          f.attempts,
          now,
        ).changes;
      }
    })();
    return n;
  }
}

/** Batched, idempotent writes of a tuning job's results to its store. */
export class TuneBatchWriter extends Batcher<Required<TuneBatch>> {
  constructor(store: TuneStore, maxRows = 200) {
    super(
      () => ({ rewrites: [], checks: [], labels: [], failures: [] }),
      (batch) => store.writeBatch(batch),
      maxRows,
      store.file,
    );
  }
}
