/**
 * Builds an analysis Frame one response at a time, straight into columns
 * (interned codes, typed arrays), so a 585k-row import never holds 585k row
 * objects. The streaming study import writes here.
 */
import { type Column, type Frame, makeFrame } from "../stats/frame.js";
import { CATEGORICAL_COLUMNS, NUMERIC_COLUMNS } from "./rows.js";

type CategoricalName = (typeof CATEGORICAL_COLUMNS)[number];
type NumericName = (typeof NUMERIC_COLUMNS)[number];
export type FrameRecord = Readonly<Record<CategoricalName, string> & Record<NumericName, number>>;

class Interned {
  readonly index = new Map<string, number>();
  codes = new Int32Array(1024);
  code(v: string): number {
    let c = this.index.get(v);
    if (c === undefined) {
      c = this.index.size;
      this.index.set(v, c);
    }
    return c;
  }
}

export class FrameBuilder {
  private n = 0;
  private cap = 1024;
  private readonly cats = CATEGORICAL_COLUMNS.map(() => new Interned());
  private nums = NUMERIC_COLUMNS.map(() => new Float64Array(1024));

  private grow(): void {
    this.cap *= 2;
    for (const c of this.cats) {
      const next = new Int32Array(this.cap);
      next.set(c.codes);
      c.codes = next;
    }
    this.nums = this.nums.map((v) => {
      const next = new Float64Array(this.cap);
      next.set(v);
      return next;
    });
  }

  add(r: FrameRecord): void {
    if (this.n === this.cap) this.grow();
    for (let k = 0; k < CATEGORICAL_COLUMNS.length; k++) {
      const c = this.cats[k]!;
      c.codes[this.n] = c.code(r[CATEGORICAL_COLUMNS[k]!]);
    }
    for (let k = 0; k < NUMERIC_COLUMNS.length; k++) this.nums[k]![this.n] = r[NUMERIC_COLUMNS[k]!];
    this.n++;
  }

  get rows(): number {
    return this.n;
  }

  build(): Frame {
    const columns: Record<string, Column> = {};
    CATEGORICAL_COLUMNS.forEach((name, k) => {
      const c = this.cats[k]!;
      columns[name] = {
        kind: "categorical",
        codes: c.codes.slice(0, this.n),
        levels: [...c.index.keys()],
      };
    });
    NUMERIC_COLUMNS.forEach((name, k) => {
      columns[name] = { kind: "numeric", values: this.nums[k]!.slice(0, this.n) };
    });
    return makeFrame(columns);
  }
}
