import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CsvShapeError, scanCsv } from "../../src/analysis/csv-scan.js";
import { sharedData } from "./reference-fixtures.js";

function all(text: string | Buffer): string[][] {
  const out: string[][] = [];
  scanCsv(Buffer.isBuffer(text) ? text : Buffer.from(text), (f) => out.push(f));
  return out;
}

describe("scanCsv", () => {
  it("quotes, escaped quotes, embedded commas and newlines, CRLF, BOM, blank lines", () => {
    const text = '\ufeffa,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\n1,,3\n"",z,\n';
    expect(all(text)).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "two\nlines"],
      ["1", "", "3"],
      ["", "z", ""],
    ]);
  });
  it("decodes only the wanted columns after the header", () => {
    const out: string[][] = [];
    scanCsv(
      Buffer.from('k,long,v\n1,"skip, me",2\n'),
      (f) => out.push(f),
      (i) => i !== 1,
    );
    expect(out).toEqual([
      ["k", "long", "v"],
      ["1", "", "2"],
    ]);
  });
  it("reports malformed quoting with the record number", () => {
    expect(() => all('a\n"open')).toThrow(CsvShapeError);
    let record = -1;
    try {
      all('a,b\n1,2\n"x"y,3\n');
    } catch (e) {
      record = (e as CsvShapeError).record;
    }
    expect(record).toBe(2);
  });
  it("reads the released study files exactly as csv-parse does", () => {
    const root = path.join(sharedData, "paper/sample_data");
    let files = 0;
    for (const m of readdirSync(root)) {
      for (const v of ["original", "warm"]) {
        const dir = path.join(root, m, v);
        for (const f of readdirSync(dir).filter((x) => x.endsWith(".csv"))) {
          const buf = readFileSync(path.join(dir, f));
          expect(all(buf)).toEqual(parse(buf, { bom: true, skip_empty_lines: true }));
          files++;
        }
      }
    }
    expect(files).toBeGreaterThan(4);
  });
});
