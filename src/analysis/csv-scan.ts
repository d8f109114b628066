/**
 * A minimal RFC 4180 reader over a file's bytes, for the study's large output
 * files: it walks the buffer once and decodes only the fields the caller asks
 * for (the long free-text columns a file may carry besides `output` are never
 * turned into strings). Quoted fields may hold commas, newlines and "" escapes;
 * CRLF and a UTF-8 BOM are accepted. Anything else malformed is reported with
 * its record number so the caller can name file and row.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export class CsvShapeError extends Error {
  constructor(
    readonly record: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Calls `onRecord(fields, index)` for every record (index 0 = header). `want`
 * decides, per column index, whether to decode it; others are "" in `fields`.
 * `want` is consulted after the header (record 0 always decodes every field).
 * Blank lines are skipped.
 */
export function scanCsv(
  buf: Buffer,
  onRecord: (fields: string[], index: number) => void,
  want: (column: number) => boolean = () => true,
): void {
  let pos = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const n = buf.length;
  let record = 0;
  let wanted: boolean[] | null = null;
  while (pos < n) {
    if (buf[pos] === LF || (buf[pos] === CR && buf[pos + 1] === LF)) {
      pos += buf[pos] === CR ? 2 : 1; // blank line
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      const col = fields.length;
      const decode = wanted === null || (wanted[col] ?? false);
      let value = "";
      if (buf[pos] === QUOTE) {
        pos++;
        let start = pos;
        const parts: string[] = [];
        for (;;) {
          const q = buf.indexOf(QUOTE, pos);
          if (q < 0) throw new CsvShapeError(record, "unterminated quoted field");
          if (buf[q + 1] === QUOTE) {
            if (decode) parts.push(buf.toString("utf8", start, q + 1));
            pos = q + 2;
            start = pos;
            continue;
          }
          if (decode) parts.push(buf.toString("utf8", start, q));
          pos = q + 1;
          break;
        }
        if (decode) value = parts.length === 1 ? parts[0]! : parts.join("");
        const c = buf[pos];
        if (pos < n && c !== COMMA && c !== LF && c !== CR)
          throw new CsvShapeError(record, "characters after a closing quote");
      } else {
        let end = pos;
        while (end < n) {
          const c = buf[end];
          if (c === COMMA || c === LF || c === CR) break;
          end++;
        }
        if (decode) value = buf.toString("utf8", pos, end);
        pos = end;
      }
      fields.push(value);
      if (pos >= n) break;
      const c = buf[pos]!;
      if (c === COMMA) {
        pos++;
        continue;
      }
      pos += c === CR && buf[pos + 1] === LF ? 2 : 1;
      break;
    }
    onRecord(fields, record);
    if (record === 0) wanted = fields.map((_, i) => want(i));
    record++;
  }
}
