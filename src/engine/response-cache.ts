import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { contentHash } from "../design/hash.js";
import { redactRef } from "../providers/credentials.js";
import type { GenerateResult, OutputSchema } from "../providers/types.js";
import type { ChatMessage, GenerationParams } from "../types.js";

/**
 * Everything that can change a model's answer, and nothing else: concurrency,
 * timeouts, retries and keys are left out (Inspect AI's rule), and the model
 * reference is stripped of credentials. `sample` keeps repeated samples of one
 * prompt distinct.
 */
export interface CacheKeyParts {
  model: string;
  messages: readonly ChatMessage[];
  params: GenerationParams;
  outputSchema?: OutputSchema;
  sample: number;
}

export function cacheKey(parts: CacheKeyParts): string {
  return contentHash(
    {
      v: 1,
      model: redactRef(parts.model),
      messages: parts.messages,
      params: parts.params,
      schema: parts.outputSchema ?? null,
      sample: parts.sample,
    },
    40,
  );
}

/**
 * A cross-run cache of model answers in one SQLite file (default
 * ~/.cache/candor/responses.sqlite), shared safely by concurrent runs. Opt-in
 * (`cache: true`): reusing a sampled answer is what you want when re-running or
 * re-judging, not when you want fresh samples.
 */
export class ResponseCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { result_json: string }>;
  private readonly putStmt: Database.Statement<[string, string, string]>;
  hits = 0;
  misses = 0;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, result_json TEXT NOT NULL, created_at TEXT NOT NULL)",
    );
    this.getStmt = this.db.prepare("SELECT result_json FROM responses WHERE key = ?");
    this.putStmt = this.db.prepare(
      "INSERT OR IGNORE INTO responses(key, result_json, created_at) VALUES (?, ?, ?)",
    );
  }

  get(key: string): GenerateResult | undefined {
    const row = this.getStmt.get(key);
    if (!row) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return JSON.parse(row.result_json) as GenerateResult;
  }

  put(key: string, result: GenerateResult): void {
    this.putStmt.run(key, JSON.stringify(result), new Date().toISOString());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
