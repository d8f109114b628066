import { DataError } from "../errors.js";
import { describe, isPlainObject, type Row, type Table } from "./table.js";

/**
 * Column access shared by the task adapters. Column names match case- and
 * separator-insensitively ("Best Answer" = "best_answer"), so one adapter reads both a
 * dataset's original CSV and its Hugging Face conversion.
 */

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[\s_-]+/g, "");
}

export class Columns {
  private readonly byKey = new Map<string, string>();

  constructor(
    readonly table: Table,
    /** What the file should be, used in messages ("a TruthfulQA CSV (columns …)"). */
    readonly expected: string,
  ) {
    for (const c of table.columns) {
      const k = normalizeKey(c);
      if (!this.byKey.has(k)) this.byKey.set(k, c);
    }
  }

  get file(): string {
    return this.table.file;
  }

  /** The actual name of the first candidate column present, if any. */
  find(...candidates: string[]): string | undefined {
    for (const c of candidates) {
      const hit = this.byKey.get(normalizeKey(c));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** Like `find`, but a missing column is a DataError naming the header and the columns found. */
  require(...candidates: string[]): string {
    const hit = this.find(...candidates);
    if (hit !== undefined) return hit;
    const shown = candidates.map((c) => `"${c}"`).join(" or ");
    throw new DataError(
      this.table.file,
      this.table.headerWhere,
      `missing column ${shown}; found columns: ${this.table.columns.join(", ") || "(none)"}; expected ${this.expected}`,
    );
  }
}

function where(row: Row, column: string): string {
  return `${row.where}, column ${column}`;
}

/** A cell as text; numbers and booleans are stringified. Undefined when empty or absent. */
export function optionalText(row: Row, column: string | undefined): string | undefined {
  if (column === undefined) return undefined;
  const value = row.values[column];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const t = value.trim();
    return t === "" ? undefined : t;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A non-empty text cell, or a DataError naming the row and column. */
export function requireText(
  table: Table,
  row: Row,
  column: string,
  what = "a non-empty text",
): string {
  const value = row.values[column];
  const text = optionalText(row, column);
  if (text !== undefined) return text;
  if (value !== undefined && value !== null && typeof value !== "string") {
    throw new DataError(
      table.file,
      where(row, column),
      `found ${describe(value)}; expected ${what}`,
    );
  }
  throw new DataError(table.file, where(row, column), `empty cell; expected ${what}`);
}

/**
 * A list cell: a JSON/Parquet array, a JSON array in text, or text separated by "; "
 * (TruthfulQA's convention). Items are trimmed, a stray trailing ";" is dropped, empty
 * items are skipped and duplicates removed (first kept).
 */
export function optionalList(table: Table, row: Row, column: string | undefined): string[] {
  if (column === undefined) return [];
  const value = row.values[column];
  if (value === undefined || value === null) return [];
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === "string") {
    const t = value.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      try {
        const parsed: unknown = JSON.parse(t);
        items = Array.isArray(parsed) ? parsed : [t];
      } catch {
        items = splitList(t);
      }
    } else items = splitList(t);
  } else if (typeof value === "number") items = [String(value)];
  else {
    throw new DataError(
      table.file,
      where(row, column),
      `found ${describe(value)}; expected a list (an array or text separated by "; ")`,
    );
  }
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== "string" && typeof item !== "number") {
      throw new DataError(
        table.file,
        where(row, column),
        `list item is ${describe(item)}; expected text`,
      );
    }
    const text = String(item).trim().replace(/;+$/, "").trim();
    if (text !== "") out.push(text);
  }
  return dedupe(out);
}

export function requireList(table: Table, row: Row, column: string, what: string): string[] {
  const list = optionalList(table, row, column);
  if (list.length === 0)
    throw new DataError(table.file, where(row, column), `empty cell; expected ${what}`);
  return list;
}

export function splitList(text: string): string[] {
  return text.split(/;\s+|;$/);
}

/** Removes exact duplicates, keeping the first occurrence and the order. */
export function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}

/** A struct cell (Parquet struct, JSON object, or JSON text of an object). */
export function optionalObject(
  table: Table,
  row: Row,
  column: string | undefined,
): Record<string, unknown> | undefined {
  if (column === undefined) return undefined;
  const value = row.values[column];
  if (value === undefined || value === null || value === "") return undefined;
  if (isPlainObject(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isPlainObject(parsed)) return parsed;
    } catch {
      // fall through to the error
    }
  }
  throw new DataError(
    table.file,
    where(row, column),
    `found ${describe(value)}; expected an object`,
  );
}

export { where as cellWhere };
