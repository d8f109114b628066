/**
 * Set-up shared by the batch tests: one fake batch server per test (closed after it), the test
 * key in the environment, counting queries on a run store, and an audit killed (SIGKILL) once
 * its store reaches a state.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll } from "vitest";
import { RUN_DB } from "../../src/stages/audit.js";
import { writeBatchConfig } from "./batch-config.js";
import { type BatchServer, type BatchServerOptions, startBatchServer } from "./batch-server.js";
import { startCli } from "./cli.js";

export const BATCH_KEY_ENV = { CANDOR_TEST_BATCH_KEY: "sk-test-batch-key-123456" };

/** Trials of writeBatchConfig's default audit: 2 subjects × 6 items × 2 contexts × 4 beliefs. */
export const BATCH_TRIALS = 2 * 6 * 2 * 4;

/** The test's server (started by `start`), closed after each test. */
export function useBatchServer(): { start(o?: BatchServerOptions): Promise<BatchServer> } {
  let server: BatchServer | undefined;
  beforeAll(() => {
    Object.assign(process.env, BATCH_KEY_ENV);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    async start(o) {
      server = await startBatchServer(o);
      return server;
    },
  };
}

/** One number from a run store (0 while the store or its tables do not exist yet). */
export function count(file: string, sql: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).pluck().get() as number | null) ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/**
 * Starts `candor audit` on a batch config (OpenAI unless told) and SIGKILLs it once `ready(db)` holds (the
 * store or server reached the state the test is about); gives up waiting after a minute.
 */
export async function auditKilledWhen(
  server: BatchServer,
  ready: (db: string) => boolean,
  options: { extra?: string; provider?: "openai" | "anthropic" } = {},
): Promise<{ configFile: string; dir: string; db: string }> {
  const { configFile, dir } = writeBatchConfig(server, options.provider ?? "openai", {
    ...(options.extra !== undefined && { extra: options.extra }),
  });
  const db = join(dir, "run", RUN_DB);
  const { child, done } = startCli(["audit", configFile], { env: BATCH_KEY_ENV });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !ready(db)) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGKILL");
  const { signal } = await done;
  if (signal !== "SIGKILL") throw new Error(`the audit ended (${signal}) before it was killed`);
  return { configFile, dir, db };
}
