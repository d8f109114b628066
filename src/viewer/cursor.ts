/** Keyset-pagination cursors of the trial list. */

export interface Cursor {
  dir: "after" | "before";
  mode: "t" | "r";
  key: number;
}

/** Cursors are `a|b` (after/before) + `t|r` (which rowid) + the rowid. */
export function parseCursor(raw: string | undefined): Cursor | null {
  const m = raw ? /^([ab])([tr])(\d{1,15})$/.exec(raw) : null;
  return m
    ? { dir: m[1] === "a" ? "after" : "before", mode: m[2] as "t" | "r", key: Number(m[3]) }
    : null;
}
