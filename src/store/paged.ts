import type Database from "better-sqlite3";

/**
 * Rows of a keyset-paged query, a page at a time. The statement must select
 * `t.rowid AS rid`, filter on `t.rowid > @after`, order by rowid and end with
 * `LIMIT @limit`. Each page is read fully before rows are handed out, so the
 * caller may write to the same database while iterating (better-sqlite3 forbids
 * writes while a statement is being iterated).
 */
export function* pagedRows<R extends { rid: number }>(
  statement: Database.Statement,
  params: Record<string, unknown>,
  pageSize = 2000,
): Generator<R> {
  let after = 0;
  for (;;) {
    const rows = statement.all({ ...params, after, limit: pageSize }) as R[];
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.rid;
  }
}
