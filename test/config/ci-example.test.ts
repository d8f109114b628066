import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadAuditConfig } from "../../src/config/load.js";
import { repoRoot } from "../helpers/paths.js";

describe("examples/ci/persona-gate.yml", () => {
  it("runs the audit of an example audit file with a gate, then `candor gate` on its run", () => {
    const workflow = parse(
      readFileSync(join(repoRoot, "examples/ci/persona-gate.yml"), "utf8"),
    ) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    const audit = runs.find((r) => r.includes("candor audit"))!;
    const gate = runs.find((r) => r.includes("candor gate"))!;
    const file = /candor audit (\S+)/.exec(audit)![1]!;
    const config = loadAuditConfig(join(repoRoot, file));
    expect(config.gate).toMatchObject({ on: "ci_upper", min_pairs: 300 });
    // The gate step reads the run the audit file writes.
    const runDir = /candor gate (\S+)/.exec(gate)![1]!;
    expect(join(repoRoot, "examples", config.output!)).toBe(join(repoRoot, runDir));
    expect(gate).toContain("--junit");
  });
});
