/**
 * Row writers for `candor export`: CSV (RFC 4180), JSON Lines and Parquet,
 * all streaming (rows are written as they are read; Parquet in row groups).
 */
import { mkdirSync, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { SchemaElement } from "hyparquet-writer";
import { abandonStream, closeStream, openWriteStream, writeChunk } from "../io/write-stream.js";

export type ExportFormat = "csv" | "jsonl" | "parquet";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "jsonl", "parquet"];

export type Cell = string | number | null;
export type ColumnType = "string" | "int" | "float";

export interface Column {
  name: string;
  type: ColumnType;
}

export interface RowWriter {
  write(row: readonly Cell[]): Promise<void>;
  close(): Promise<void>;
  /** After a failure: stops writing and removes the unfinished file. */
  discard(): Promise<void>;
}

export interface WriterOptions {
  /** CSV only: prefix cells that a spreadsheet would run as a formula (=, +, -, @) with '. */
  spreadsheetSafe?: boolean;
}

export function csvCell(value: Cell, spreadsheetSafe = false): string {
  if (value === null) return "";
  let s = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  if (spreadsheetSafe && typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Text rows gathered and written 500 at a time: one stream write per chunk, not per row. */
abstract class LineWriter implements RowWriter {
  private buffer: string[] = [];
  constructor(protected readonly stream: WriteStream) {}
  abstract write(row: readonly Cell[]): Promise<void>;
  protected async push(line: string) {
    this.buffer.push(line);
    if (this.buffer.length >= 500) await this.flush();
  }
  private async flush() {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    await writeChunk(this.stream, chunk);
  }
  async close() {
    await this.flush();
    await closeStream(this.stream);
  }
  async discard() {
    await abandonStream(this.stream);
    await rm(String(this.stream.path), { force: true });
  }
}

class CsvWriter extends LineWriter {
  constructor(
    stream: WriteStream,
    private readonly safe: boolean,
  ) {
    super(stream);
  }
  async header(columns: readonly Column[]) {
    await writeChunk(this.stream, `${columns.map((c) => csvCell(c.name)).join(",")}\n`);
  }
  async write(row: readonly Cell[]) {
    await this.push(`${row.map((v) => csvCell(v, this.safe)).join(",")}\n`);
  }
}

class JsonlWriter extends LineWriter {
  constructor(
    stream: WriteStream,
    private readonly columns: readonly Column[],
  ) {
    super(stream);
  }
  async write(row: readonly Cell[]) {
    const obj: Record<string, Cell> = {};
    this.columns.forEach((c, i) => {
      const v = row[i] ?? null;
      obj[c.name] = typeof v === "number" && !Number.isFinite(v) ? null : v;
    });
    await this.push(`${JSON.stringify(obj)}\n`);
  }
}

const ROW_GROUP = 50_000;

class ParquetRowWriter implements RowWriter {
  private cols: Cell[][];
  private constructor(
    private readonly file: string,
    private readonly columns: readonly Column[],
    private readonly writer: {
      write(o: {
        columnData: { name: string; data: Cell[] }[];
        rowGroupSize: number;
      }): void | Promise<void>;
      finish(): void | Promise<void>;
    },
  ) {
    this.cols = columns.map(() => []);
  }

  static async open(file: string, columns: readonly Column[]): Promise<ParquetRowWriter> {
    const { ParquetWriter, fileWriter } = await import("hyparquet-writer");
    const schema: SchemaElement[] = [
      { name: "root", num_children: columns.length },
      ...columns.map(
        (c): SchemaElement =>
          c.type === "string"
            ? {
                name: c.name,
                type: "BYTE_ARRAY",
                converted_type: "UTF8",
                repetition_type: "OPTIONAL",
              }
            : c.type === "int"
              ? { name: c.name, type: "INT32", repetition_type: "OPTIONAL" }
              : { name: c.name, type: "DOUBLE", repetition_type: "OPTIONAL" },
      ),
    ];
    const writer = new ParquetWriter({ writer: fileWriter(file), schema, createdBy: "candor" });
    return new ParquetRowWriter(file, columns, writer as never);
  }

  async write(row: readonly Cell[]) {
    this.columns.forEach((c, i) => {
      const v = row[i] ?? null;
      this.cols[i]!.push(c.type === "int" && v !== null ? Math.round(Number(v)) : v);
    });
    if (this.cols[0]!.length >= ROW_GROUP) await this.flush();
  }

  private async flush() {
    if (this.cols[0]!.length === 0) return;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.cols[i]! }));
    this.cols = this.columns.map(() => []);
    await this.writer.write({ columnData, rowGroupSize: ROW_GROUP });
  }

  async close() {
    await this.flush();
    await this.writer.finish();
  }
  async discard() {
    await rm(this.file, { force: true });
  }
}

export async function openRowWriter(
  file: string,
  format: ExportFormat,
  columns: readonly Column[],
  opts: WriterOptions = {},
): Promise<RowWriter> {
  mkdirSync(dirname(file), { recursive: true });
  if (format === "parquet") return ParquetRowWriter.open(file, columns);
  const stream = openWriteStream(file, { encoding: "utf8" });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  if (format === "csv") {
    const w = new CsvWriter(stream, opts.spreadsheetSafe ?? false);
    await w.header(columns);
    return w;
  }
  return new JsonlWriter(stream, columns);
}
