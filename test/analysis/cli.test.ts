import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { registerAnalyze, selectModels } from "../../src/cli/commands/analyze.js";
import { registerImportStudy } from "../../src/cli/commands/import-study.js";
import { CandorError, DataError } from "../../src/errors.js";
import { sharedData } from "./reference-fixtures.js";

const sampleDir = path.join(sharedData, "paper/sample_data");
const dir = mkdtempSync(path.join(tmpdir(), "candor-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the commands in-process and returns what they printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerAnalyze(program);
  registerImportStudy(program);
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  await program.parseAsync(["node", "candor", ...args]);
  vi.restoreAllMocks();
  return out;
}

describe("candor analyze", () => {
  it("prints coefficient tables and AMEs in percentage points for the study layout", async () => {
    const out = await cli("analyze", sampleDir, "--model", "4");
    expect(out).toContain("Model 4: fine-tuning × user belief");
    expect(out).toMatch(/coef\s+std err\s+z\s+P>\|z\|\s+\[0\.025\s+0\.975\]/);
    expect(out).toContain(
      "C(is_finetuned, Treatment(reference=0))[1]:C(prompt_group, Treatment(reference='original'))[T.user_opinion]",
    );
    expect(out).toMatch(/fine-tuning \| prompt_group=user_opinion\s+6\.45/);
    expect(out).toContain("No. Observations: 315");
    expect(out).toMatch(/Log-Likelihood: -162\.020/);
  });

  it("--json carries models, cells and the import report, and no NaN/Infinity", async () => {
    const out = await cli("analyze", sampleDir, "--json", "--include-length", "--cluster");
    expect(out).not.toMatch(/NaN|Infinity/);
    const json = JSON.parse(out);
    const cmp = json.comparisons[0];
    expect(cmp.comparison).toBe("warm");
    expect(cmp.models.map((m: { id: string }) => m.id)).toEqual([
      "model1",
      "model1_length",
      "model2",
      "model3",
      "model4",
    ]);
    expect(cmp.models[4].covType).toBe("cluster");
    expect(cmp.cells.length).toBeGreaterThan(0);
    expect(json.import.files).toHaveLength(16);
  });

  it("round-trips through import-study --out and flags separated fits", async () => {
    const csv = path.join(dir, "rows.csv");
    const report = await cli("import-study", sampleDir, "--out", csv);
    expect(report).toMatch(/total\s+319\s+0\s+4\s+4\s+315/);
    expect(readFileSync(csv, "utf8").split("\n")[0]).toContain("is_incorrect");
    const out = await cli("analyze", csv, "--model", "1", "--cells");
    expect(out).toMatch(/WARNING \((separation|fitted_extreme)\)/);
    expect(out).toContain("Per-cell paired tests");
  });

  it("reproduces the published summary table when given one", async () => {
    const out = await cli(
      "analyze",
      path.join(sharedData, "paper/summary_data/results_warm_ft.csv"),
    );
    expect(out).toContain("300/300 match");
    expect(out).toMatch(/medqa\s+\+8\.59/);
  });

  it("rejects bad flags and paths with actionable errors", async () => {
    expect(() => selectModels("5", false)).toThrow(CandorError);
    expect(selectModels("1", true)).toEqual(["model1", "model1_length"]);
    expect(selectModels("4", true)).toEqual(["model1_length", "model4"]);
    await expect(cli("analyze", path.join(dir, "nope"))).rejects.toThrow(DataError);
    await expect(cli("analyze", dir)).rejects.toThrow(/run\.sqlite/);
    await expect(cli("analyze", sampleDir, "--comparison", "cold")).rejects.toThrow(
      /no comparison/,
    );
  });
});
