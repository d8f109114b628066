/**
 * The normalised analysis-rows CSV (columns ROW_COLUMNS): what
 * `candor import-study --out` writes and `candor analyze` reads back.
 *
 * The reader is a byte-level, columnar parser rather than csv-parse: at the
 * study's scale (≈585k rows) building one object and a dozen strings per row
 * costs more than the whole model fit. Categorical fields are interned straight
 * from the bytes (FNV hash + byte comparison) into integer codes; numeric fields
 * are parsed from the bytes. Quoted fields (RFC 4180, with "" escapes and
 * embedded newlines) take a slower path but give the same codes.
 * Validation happens at this boundary: a bad value raises a DataError naming
 * file, row and column.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DataError } from "../errors.js";
import { closeStream, openWriteStream, writeChunk } from "../io/write-stream.js";
import type { Column, Frame } from "../stats/frame.js";
import { makeFrame } from "../stats/frame.js";
import { BELIEFS, CONTEXTS } from "../types.js";
import {
  AMENDMENT_GROUPS,
  CATEGORICAL_COLUMNS,
  NUMERIC_COLUMNS,
  PROMPT_GROUPS,
  ROW_COLUMNS,
} from "./rows.js";

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Interns byte ranges into dense codes without decoding a string per field. */
class ByteInterner {
  readonly levels: string[] = [];
  private readonly stored: Uint8Array[] = [];
  private readonly buckets = new Map<number, number[]>();
  private lastCode = -1;

  intern(buf: Uint8Array, start: number, end: number): number {
    // Consecutive rows usually repeat a value: check the last one first.
    if (this.lastCode >= 0 && this.equals(this.stored[this.lastCode]!, buf, start, end))
      return this.lastCode;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const bucket = this.buckets.get(h);
    if (bucket) {
      for (const c of bucket) {
        if (this.equals(this.stored[c]!, buf, start, end)) {
          this.lastCode = c;
          return c;
        }
      }
    }
    const code = this.levels.length;
    const copy = buf.slice(start, end);
    this.stored.push(copy);
    this.levels.push(Buffer.from(copy).toString("utf8"));
    if (bucket) bucket.push(code);
    else this.buckets.set(h, [code]);
    this.lastCode = code;
    return code;
  }

  private equals(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
    if (a.length !== end - start) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
    return true;
  }
}

const headerSchema = z.array(z.string()).refine((h) => ROW_COLUMNS.every((c) => h.includes(c)), {
  message: `header must contain ${ROW_COLUMNS.join(",")}`,
});

/** Parses a numeric field; NaN when it is not a plain finite number. */
function parseNumber(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (i < end && buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  if (i === end) return Number.NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) {
      const s = Buffer.from(buf.subarray(start, end)).toString("latin1").trim();
      return s === "" ? Number.NaN : Number(s);
    }
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

export function readRowsCsv(file: string): Frame {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new DataError(file, undefined, `a readable analysis-rows CSV (${(e as Error).message})`);
  }
  let pos = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3; // BOM
  const headerEnd = buf.indexOf(LF, pos);
  const headerLine = buf
    .subarray(pos, headerEnd < 0 ? buf.length : headerEnd)
    .toString("utf8")
    .replace(/\r$/, "");
  const header = headerLine.split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const parsedHeader = headerSchema.safeParse(header);
  if (!parsedHeader.success)
    throw new DataError(file, "header", parsedHeader.error.issues[0]!.message);
  pos = headerEnd < 0 ? buf.length : headerEnd + 1;

  // Upper bound on rows (quoted newlines only make it an over-estimate).
  let cap = 1;
  for (let i = buf.indexOf(LF, pos); i >= 0; i = buf.indexOf(LF, i + 1)) cap++;
  const nCols = header.length;
  type Sink =
    | { kind: "cat"; codes: Int32Array; interner: ByteInterner }
    | { kind: "num"; values: Float64Array; name: string }
    | null;
  const sinks: Sink[] = header.map((name) => {
    if ((CATEGORICAL_COLUMNS as readonly string[]).includes(name)) {
      return { kind: "cat", codes: new Int32Array(cap), interner: new ByteInterner() };
    }
    if ((NUMERIC_COLUMNS as readonly string[]).includes(name))
      return { kind: "num", values: new Float64Array(cap), name };
    return null; // extra columns are allowed and ignored
  });

  let row = 0;
  let scratch: Uint8Array = new Uint8Array(256);
  const len = buf.length;
  while (pos < len) {
    // Skip blank lines (including a trailing newline at end of file).
    if (buf[pos] === LF || (buf[pos] === CR && buf[pos + 1] === LF)) {
      pos += buf[pos] === CR ? 2 : 1;
      continue;
    }
    for (let c = 0; c < nCols; c++) {
      let start = pos;
      let end: number;
      let src: Uint8Array = buf;
      if (buf[pos] === QUOTE) {
        // Quoted field: unescape "" into scratch, then treat scratch as the bytes.
        let k = 0;
        pos++;
        for (;;) {
          if (pos >= len) throw new DataError(file, `row ${row + 1}`, "a closing quote");
          const ch = buf[pos]!;
          if (ch === QUOTE) {
            if (buf[pos + 1] === QUOTE) {
              pos += 2;
              if (k >= scratch.length) scratch = grow(scratch);
              scratch[k++] = QUOTE;
              continue;
            }
            pos++;
            break;
          }
          if (k >= scratch.length) scratch = grow(scratch);
          scratch[k++] = ch;
          pos++;
        }
        src = scratch;
        start = 0;
        end = k;
      } else {
        while (pos < len && buf[pos] !== COMMA && buf[pos] !== LF) pos++;
        end =
          pos > start && buf[pos - 1] === CR && (pos === len || buf[pos] === LF) ? pos - 1 : pos;
      }
      const sink = sinks[c];
      if (sink?.kind === "cat") {
        if (end === start)
          throw new DataError(file, `row ${row + 1}, column ${header[c]}`, "a non-empty value");
        sink.codes[row] = sink.interner.intern(src, start, end);
      } else if (sink?.kind === "num") {
        sink.values[row] = parseNumber(src, start, end);
      }
      // Field separator or end of record.
      if (c < nCols - 1) {
        if (buf[pos] !== COMMA)
          throw new DataError(file, `row ${row + 1}`, `${nCols} fields, found ${c + 1}`);
        pos++;
      } else {
        if (buf[pos] === CR) pos++;
        if (pos < len && buf[pos] !== LF)
          throw new DataError(file, `row ${row + 1}`, `${nCols} fields, found more`);
        pos++;
      }
    }
    row++;
  }

  const columns: Record<string, Column> = {};
  header.forEach((name, c) => {
    const sink = sinks[c];
    if (sink?.kind === "cat")
      columns[name] = {
        kind: "categorical",
        codes: sink.codes.subarray(0, row),
        levels: sink.interner.levels,
      };
    else if (sink?.kind === "num")
      columns[name] = { kind: "numeric", values: sink.values.subarray(0, row) };
  });
  const frame = makeFrame(columns);
  validateFrame(frame, file);
  return frame;
}

function grow(a: Uint8Array): Uint8Array {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}

/** Checks levels once per distinct value, numbers and group consistency once per row. */
function validateFrame(frame: Frame, file: string): void {
  const cat = (name: string) => frame.columns.get(name) as Extract<Column, { kind: "categorical" }>;
  const num = (name: string) =>
    (frame.columns.get(name) as Extract<Column, { kind: "numeric" }>).values;
  const firstRowWith = (name: string, code: number) => cat(name).codes.indexOf(code) + 1;
  const allowed: [string, readonly string[]][] = [
    ["is_finetuned", ["0", "1"]],
    ["amendment_type", CONTEXTS],
    ["amendment_group", AMENDMENT_GROUPS],
    ["prompt_type", BELIEFS],
    ["prompt_group", PROMPT_GROUPS],
  ];
  for (const [name, values] of allowed) {
    cat(name).levels.forEach((lv, code) => {
      if (!values.includes(lv)) {
        throw new DataError(
          file,
          `row ${firstRowWith(name, code)}, column ${name}`,
          `one of ${values.join(", ")}; got '${lv}'`,
        );
      }
    });
  }
  cat("sample").levels.forEach((lv, code) => {
    if (!/^\d+$/.test(lv))
      throw new DataError(
        file,
        `row ${firstRowWith("sample", code)}, column sample`,
        `a non-negative integer; got '${lv}'`,
      );
  });
  const y = num("is_incorrect");
  const len = num("response_length");
  for (let i = 0; i < frame.n; i++) {
    if (y[i] !== 0 && y[i] !== 1)
      throw new DataError(file, `row ${i + 1}, column is_incorrect`, "0 or 1");
    const l = len[i]!;
    if (!(l >= 0) || !Number.isFinite(l))
      throw new DataError(file, `row ${i + 1}, column response_length`, "a finite number ≥ 0");
  }
  // Groups must agree with their detailed labels (compare via small code tables).
  const pairs: [string, string, (label: string) => string][] = [
    ["amendment_type", "amendment_group", (t) => t.split(":")[0]!],
    [
      "prompt_type",
      "prompt_group",
      (t) => (t === "incorrect" || t === "correct" ? "user_opinion" : "original"),
    ],
  ];
  for (const [detail, group, groupOf] of pairs) {
    const d = cat(detail);
    const g = cat(group);
    const expected = d.levels.map((lv) => g.levels.indexOf(groupOf(lv)));
    for (let i = 0; i < frame.n; i++) {
      if (g.codes[i] !== expected[d.codes[i]!]) {
        const lv = d.levels[d.codes[i]!]!;
        throw new DataError(
          file,
          `row ${i + 1}, column ${group}`,
          `'${groupOf(lv)}' for ${detail} '${lv}'`,
        );
      }
    }
  }
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes a frame in this layout (streamed, so a 585k-row frame needs no giant string). */
export async function writeFrameCsv(frame: Frame, file: string): Promise<void> {
  const out = openWriteStream(file, { encoding: "utf8" });
  const cols = ROW_COLUMNS.map((name) => {
    const c = frame.columns.get(name);
    if (!c) throw new RangeError(`frame has no column ${name}`);
    return c;
  });
  const quoted = cols.map((c) => (c.kind === "categorical" ? c.levels.map(csvField) : null));
  await writeChunk(out, `${ROW_COLUMNS.join(",")}\n`);
  let chunk = "";
  for (let i = 0; i < frame.n; i++) {
    let line = "";
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      if (k > 0) line += ",";
      line += c.kind === "categorical" ? quoted[k]![c.codes[i]!]! : String(c.values[i]!);
    }
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      await writeChunk(out, chunk);
      chunk = "";
    }
  }
  await closeStream(out, chunk);
}
