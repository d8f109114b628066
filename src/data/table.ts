import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { CsvError, parse as parseCsv } from "csv-parse/sync";
import { DataError } from "../errors.js";

/**
 * Format readers: CSV, JSON Lines, JSON and Parquet files become a `Table` of plain
 * rows, each carrying where it came from ("row 12 (line 13)", "line 7") so adapters
 * can name the exact place of a bad cell.
 */

export type TableFormat = "csv" | "jsonl" | "json" | "parquet";

export interface Row {
  readonly values: Readonly<Record<string, unknown>>;
  /** Human-readable position in the file, e.g. "row 12 (line 13)" or "line 7". */
  readonly where: string;
}

export interface Table {
  /** The file as the user named it (absolute path or URL-derived cache path). */
  readonly file: string;
  readonly format: TableFormat;
  /** Column names: the CSV header, or the keys of the first record. */
  readonly columns: readonly string[];
  /** Where the column names come from, for error messages ("header row", "line 1"). */
  readonly headerWhere: string;
  readonly rows: readonly Row[];
}

export interface ReadTableOptions {
  format?: TableFormat;
  /** CSV only: the file has no header row; these are its column names. */
  headerless?: readonly string[];
  /** Used in "file not found" messages: what kind of file was expected. */
  expected?: string;
  /** How to name the file in errors and in `Table.file` (e.g. the URL it came from). */
  name?: string;
  /** Text encoding of CSV/JSONL/JSON files (default utf8; invalid UTF-8 is an error). */
  encoding?: TextEncoding;
}

export type TextEncoding = "utf8" | "latin1";

const EXTENSIONS: Record<string, TableFormat> = {
  ".csv": "csv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".parquet": "parquet",
};

export function formatFromPath(file: string): TableFormat | undefined {
  return EXTENSIONS[extname(file).toLowerCase()];
}

export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  const expected = options.expected ?? "a CSV, JSONL, JSON or Parquet file";
  const file = options.name ?? path;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new DataError(file, undefined, `file not found; expected ${expected}`);
  }
  if (!info.isFile())
    throw new DataError(file, undefined, `not a regular file; expected ${expected}`);
  const format = options.format ?? formatFromPath(path);
  if (!format) {
    throw new DataError(
      file,
      undefined,
      `unknown file extension "${extname(path)}"; expected .csv, .jsonl, .json or .parquet (or set the format)`,
    );
  }
  switch (format) {
    case "csv":
      return readCsv(path, file, options.headerless, options.encoding);
    case "jsonl":
      return readJsonl(file, await readText(path, file, options.encoding));
    case "json":
      return readJson(path, file, options.encoding);
    case "parquet":
      return readParquet(path, file);
  }
}

/**
 * The file's text. UTF-8 is decoded strictly: a byte sequence that is not UTF-8 (typically a
 * Latin-1 file) is an error naming the line, instead of silently becoming U+FFFD in prompts.
 */
async function readText(
  path: string,
  file: string,
  encoding: TextEncoding = "utf8",
): Promise<string> {
  const bytes = await readFile(path);
  let text: string;
  if (encoding === "latin1") text = bytes.toString("latin1");
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new DataError(
        file,
        `line ${firstInvalidUtf8Line(bytes)}`,
        "invalid UTF-8; expected a UTF-8 text file (for a Latin-1 file, set `encoding: latin1` on the task)",
      );
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line of the first invalid UTF-8 sequence (only called once decoding failed). */
function firstInvalidUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    line++;
    start = end + 1;
  }
  return line;
}

interface CsvRecordInfo {
  record: string[];
  raw: string;
  info: { lines: number };
}

async function readCsv(
  path: string,
  file: string,
  headerless?: readonly string[],
  encoding?: TextEncoding,
): Promise<Table> {
  const text = await readText(path, file, encoding);
  let records: CsvRecordInfo[];
  try {
    records = parseCsv(text, {
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_quotes: false,
    }) as unknown as CsvRecordInfo[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new DataError(
        file,
        line ? `line ${line}` : undefined,
        `${error.message.replace(/ (on|at) line \d+$/, "")}; expected well-formed CSV with the same number of fields on every row`,
      );
    }
    throw error;
  }
  const startLine = (r: CsvRecordInfo): number => {
    const body = r.raw.replace(/^[\r\n]+/, "").replace(/\r?\n$/, "");
    return r.info.lines - (body.match(/\n/g)?.length ?? 0);
  };
  let columns: string[];
  let data: CsvRecordInfo[];
  if (headerless) {
    columns = [...headerless];
    data = records;
  } else {
    const header = records[0];
    if (!header)
      throw new DataError(file, "header row", "empty file; expected a header row and data rows");
    columns = header.record.map((c) => c.trim());
    data = records.slice(1);
  }
  const rows = data.map((r, i): Row => {
    if (r.record.length !== columns.length) {
      throw new DataError(
        file,
        `row ${i + 1} (line ${startLine(r)})`,
        `has ${r.record.length} fields; expected ${columns.length} (${columns.join(", ")})`,
      );
    }
    const values: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      values[c] = r.record[j];
    });
    return { values, where: `row ${i + 1} (line ${startLine(r)})` };
  });
  return {
    file,
    format: "csv",
    columns,
    headerWhere: headerless ? "first row (no header expected)" : "header row",
    rows,
  };
}

function readJsonl(file: string, text: string): Table {
  const rows: Row[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(
        file,
        `line ${i + 1}`,
        `invalid JSON (${(error as Error).message}); expected one JSON object per line`,
      );
    }
    if (!isPlainObject(value)) {
      throw new DataError(
        file,
        `line ${i + 1}`,
        `found ${describe(value)}; expected a JSON object`,
      );
    }
    rows.push({ values: value, where: `line ${i + 1}` });
  });
  if (rows.length === 0)
    throw new DataError(file, undefined, "no records; expected one JSON object per line");
  return {
    file,
    format: "jsonl",
    columns: Object.keys(rows[0]!.values),
    headerWhere: rows[0]!.where,
    rows,
  };
}

async function readJson(path: string, file: string, encoding?: TextEncoding): Promise<Table> {
  const text = await readText(path, file, encoding);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Many hub ".json" files are really JSON Lines.
    const first = text.trimStart().split("\n", 1)[0] ?? "";
    if (first.startsWith("{") && isJsonObject(first))
      return { ...readJsonl(file, text), format: "json" };
    throw new DataError(
      file,
      undefined,
      `invalid JSON (${(error as Error).message}); expected an array of objects or JSON Lines`,
    );
  }
  let list: unknown = value;
  if (isPlainObject(value)) {
    const key = ["data", "rows", "items", "examples"].find((k) => Array.isArray(value[k]));
    if (!key) {
      throw new DataError(
        file,
        undefined,
        `found an object with keys ${Object.keys(value).slice(0, 8).join(", ")}; expected an array of objects (or an object with a "data" array)`,
      );
    }
    list = value[key];
  }
  if (!Array.isArray(list))
    throw new DataError(file, undefined, `found ${describe(list)}; expected an array of objects`);
  const rows = list.map((v, i): Row => {
    if (!isPlainObject(v))
      throw new DataError(file, `element [${i}]`, `found ${describe(v)}; expected an object`);
    return { values: v, where: `element [${i}]` };
  });
  if (rows.length === 0)
    throw new DataError(file, undefined, "empty array; expected at least one record");
  return {
    file,
    format: "json",
    columns: Object.keys(rows[0]!.values),
    headerWhere: "element [0]",
    rows,
  };
}

async function readParquet(path: string, file: string): Promise<Table> {
  let objects: Record<string, unknown>[];
  try {
    // Loaded on use: most commands never read Parquet (see providers/sdk.ts on start-up cost).
    const { asyncBufferFromFile, parquetReadObjects } = await import("hyparquet");
    const buffer = await asyncBufferFromFile(path);
    objects = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  } catch (error) {
    throw new DataError(
      file,
      undefined,
      `could not read Parquet (${(error as Error).message}); expected a Parquet file (uncompressed or snappy)`,
    );
  }
  const rows = objects.map(
    (o, i): Row => ({ values: plain(o) as Record<string, unknown>, where: `row ${i + 1}` }),
  );
  if (rows.length === 0)
    throw new DataError(file, undefined, "no rows; expected at least one record");
  return {
    file,
    format: "parquet",
    columns: Object.keys(rows[0]!.values),
    headerWhere: "schema",
    rows,
  };
}

/** Parquet values → JSON-like values: bigint → number (or string when unsafe), typed arrays → arrays. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<unknown>, plain);
  }
  if (value instanceof Date) return value.toISOString();
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function isJsonObject(text: string): boolean {
  try {
    return isPlainObject(JSON.parse(text));
  } catch {
    return false;
  }
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  return `a ${typeof value}`;
}
