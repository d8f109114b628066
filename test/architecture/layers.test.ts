/**
 * The import graph of src/ stays layered: no cycles, and the pipeline (stages/) is imported only
 * by the CLI, the library entry point and itself. Reads the sources as text; nothing is run.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const SRC = join(repoRoot, "src");
const SPEC = /(?:import|export)\s+(?:type\s+)?[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gs;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(SPEC)].map((m) =>
      relative(SRC, normalize(join(dirname(file), (m[1] ?? "").replace(/\.js$/, ".ts")))),
    );
    g.set(relative(SRC, file), deps);
  }
  return g;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe("source layers", () => {
  const g = graph();

  it("has no import cycles", () => {
    expect(g.size).toBeGreaterThan(100);
    expect(cycles(g)).toEqual([]);
  });

  it("imports the pipeline (stages/) only from the CLI, the library entry and stages/ itself", () => {
    const offenders = [...g].flatMap(([file, deps]) =>
      deps
        .filter((d) => d.startsWith("stages/"))
        .filter((_) => !/^(cli|stages)\//.test(file) && file !== "index.ts")
        .map((d) => `${file} → ${d}`),
    );
    expect(offenders).toEqual([]);
  });

  it("finds a cycle when there is one (the check itself can fail)", () => {
    const looped = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["a.ts"]],
    ]);
    expect(cycles(looped)).toEqual([["a.ts", "b.ts"]]);
  });
});
