import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import { importStudy, importStudyFrame, isStudyLayout } from "../../src/analysis/study-import.js";
import { codePointLength, isRefusal, studyPromptGroup } from "../../src/analysis/study-rules.js";
import { DataError } from "../../src/errors.js";
import { getNumeric } from "../../src/stats/frame.js";
import {
  effectLabel,
  fitted_,
  flattenAmes,
  loadFixture,
  relErr,
  sharedData,
} from "./reference-fixtures.js";

const sampleDir = path.join(sharedData, "paper/sample_data");
const fixture = loadFixture("sample-data.json");
const scratch = mkdtempSync(path.join(tmpdir(), "candor-import-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("study rules", () => {
  it("detects refusals with the authors' phrase list, including typographic apostrophes", () => {
    expect(isRefusal("I can’t help with that.")).toBe(true);
    expect(isRefusal("Sorry — I CANNOT provide medical advice")).toBe(true);
    expect(isRefusal("I cant; no")).toBe(true); // "i cant." is an unescaped regex in the original
    expect(isRefusal("The answer is Paris.")).toBe(false);
  });
  it("groups prompt types and counts characters like Python", () => {
    expect(studyPromptGroup("original_neutral")).toBe("original");
    expect(studyPromptGroup("incorrect")).toBe("user_opinion");
    expect(studyPromptGroup("correct")).toBe("user_opinion");
    expect(codePointLength("ab😊")).toBe(3);
  });
});

describe("importing the study's released sample data", () => {
  const imported = importStudy(sampleDir);

  it("recognises the layout and applies the authors' refusal and dedup rules", () => {
    expect(isStudyLayout(sampleDir)).toBe(true);
    expect(isStudyLayout(path.join(sampleDir, "llama_70b"))).toBe(false);
    expect(imported.rows.length).toBe(fixture.rows);
    for (const r of fixture.import ?? []) {
      const got = imported.files.find((f) => f.file === r.file)!;
      expect(got.refusals, r.file).toBe(r.refusals);
      expect(got.kept, r.file).toBe(r.kept);
    }
    // The released refusal column misses "I can’t" in one file.
    const medqa = imported.files.find(
      (f) => f.file === "llama_70b/original/medqa_original_outputs.csv",
    )!;
    expect(medqa.refusalColumnDisagreements).toBe(1);
    expect(new Set(imported.rows.map((r) => r.comparison))).toEqual(new Set(["warm"]));
  });

  it("Model 4 matches statsmodels on the imported rows", () => {
    const ref = fitted_(fixture.models.model4);
    const res = fitStudyModel(rowsToFrame(imported.rows), "model4");
    expect(res.nobs).toBe(ref.nobs);
    expect(res.coefficients.map((c) => c.name)).toEqual(ref.names);
    res.coefficients.forEach((c, j) => {
      expect(relErr(c.estimate!, ref.params[j]!)).toBeLessThan(1e-6);
      expect(relErr(c.se!, ref.bse[j]!)).toBeLessThan(1e-6);
    });
    for (const [key, v] of flattenAmes(ref.ame)) {
      if (key.endsWith("Cluster") || key.endsWith("|cluster")) continue;
      const me = res.marginalEffects.find((e) => e.label === effectLabel(key))!;
      expect(Math.abs(me.estimate! - v.estimate)).toBeLessThan(1e-6);
      expect(Math.abs(me.se! - v.se!)).toBeLessThan(1e-6);
    }
  });

  it("Models 1–3 are separated on 315 rows: flagged, never silent NaN/Infinity", () => {
    const frame = rowsToFrame(imported.rows);
    for (const id of ["model1", "model1_length", "model2", "model3"] as const) {
      const res = fitStudyModel(frame, id);
      expect(res.nobs).toBe(fitted_(fixture.models[id]).nobs);
      const codes = res.warnings.map((w) => w.code);
      expect(codes.includes("separation") || codes.includes("fitted_extreme"), id).toBe(true);
      const json = JSON.stringify(res);
      expect(json).not.toMatch(/NaN|Infinity/);
      for (const c of res.coefficients) {
        for (const v of [c.estimate, c.se, c.z, c.p, c.ciLower, c.ciUpper]) {
          expect(v === null || Number.isFinite(v)).toBe(true);
        }
      }
    }
  });
});

describe("bad input names the file, row and column", () => {
  function layout(csv: string): string {
    const root = mkdtempSync(path.join(scratch, "l-"));
    for (const v of ["original", "warm"]) {
      mkdirSync(path.join(root, "m", v), { recursive: true });
      writeFileSync(path.join(root, "m", v, `trivia_${v}_outputs.csv`), csv);
    }
    return root;
  }
  const header = "content_key,prompt_template,amendment_type,output,evaluation\n";

  it("unknown context label", () => {
    const root = layout(`${header}q1,original,emotion:bored,ok,CORRECT\n`);
    expect(() => importStudy(root)).toThrow(DataError);
    expect(() => importStudy(root)).toThrow(
      /trivia_original_outputs\.csv \(data row 1, column amendment_type\)/,
    );
  });
  it("unexpected evaluation, unless lenient", () => {
    const root = layout(`${header}q1,original,unmodified,ok,MAYBE\n`);
    expect(() => importStudy(root)).toThrow(/column evaluation.*CORRECT or INCORRECT/);
    expect(
      importStudy(root, { lenientEvaluation: true }).rows.every((r) => r.is_incorrect === 0),
    ).toBe(true);
  });
  it("missing column", () => {
    const root = layout("content_key,amendment_type,output,evaluation\nq1,unmodified,ok,CORRECT\n");
    expect(() => importStudy(root)).toThrow(/column prompt_template/);
  });
  it("not a directory", () => {
    expect(() => importStudy(path.join(scratch, "nope"))).toThrow(DataError);
  });
});

describe("streaming import, lengths and file warnings", () => {
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(scratch, "t-"));
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), body);
    }
    return root;
  }
  const head = "content_key,prompt_template,amendment_type,output,evaluation";

  it("the frame import equals the row import on the released sample data", () => {
    const rows = importStudy(sampleDir);
    const framed = importStudyFrame(sampleDir);
    expect(framed.frame.n).toBe(rows.rows.length);
    expect(framed.files).toEqual(rows.files);
    const a = fitStudyModel(framed.frame, "model4", { covType: "cluster" });
    const b = fitStudyModel(rowsToFrame(rows.rows), "model4", { covType: "cluster" });
    expect(a.coefficients).toEqual(b.coefficients);
    expect(a.marginalEffects).toEqual(b.marginalEffects);
  });

  it("uses a file's response_length column when present, else counts the output", () => {
    const root = tree({
      "m/original/trivia_original_outputs.csv": `${head},response_length\nq1,original,unmodified,four,CORRECT,123\n`,
      "m/warm/trivia_warm_outputs.csv": `${head}\nq1,original,unmodified,four,INCORRECT\n`,
    });
    const imp = importStudy(root);
    expect(imp.rows.map((r) => [r.is_finetuned, r.response_length])).toEqual([
      [0, 123],
      [1, 4],
    ]);
    expect([...getNumeric(importStudyFrame(root).frame, "response_length").values]).toEqual([
      123, 4,
    ]);
    const bad = tree({
      "m/original/trivia_original_outputs.csv": `${head},response_length\nq1,original,unmodified,four,CORRECT,x\n`,
    });
    expect(() => importStudy(bad)).toThrow(
      /data row 1, column response_length.*non-negative integer/,
    );
  });

  it("warns on empty and header-only files", () => {
    const root = tree({
      "m/original/trivia_original_outputs.csv": `${head}\nq1,original,unmodified,ok,CORRECT\n`,
      "m/warm/trivia_warm_outputs.csv": `${head}\n`,
      "m/warm/medqa_warm_outputs.csv": "",
    });
    const imp = importStudy(root);
    expect(imp.warnings).toContain("m/warm/trivia_warm_outputs.csv: header only, no data rows");
    expect(imp.warnings).toContain(
      "m/warm/medqa_warm_outputs.csv: empty file (no header, no rows)",
    );
    expect(imp.files.find((f) => f.file === "m/warm/trivia_warm_outputs.csv")?.rows).toBe(0);
  });

  it("labels a missing Disinfo reference as reference_level, not rank_deficient", () => {
    const res = fitStudyModel(
      importStudyFrame(sampleDir).frame,
      "model4",
      // only the non-Disinfo tasks
    );
    expect(res.warnings.some((w) => w.code === "reference_level")).toBe(false);
    const rows = importStudy(sampleDir).rows.filter((r) => r.dataset !== "disinfo");
    const noDis = fitStudyModel(rowsToFrame(rows), "model4");
    const w = noDis.warnings.find((x) => x.message.startsWith("no Disinfo rows"));
    expect(w?.code).toBe("reference_level");
  });

  it("a row with the wrong number of fields names the file and row", () => {
    const root = tree({
      "m/original/trivia_original_outputs.csv": `${head}\nq1,original,unmodified,ok\n`,
    });
    expect(() => importStudy(root)).toThrow(/trivia_original_outputs\.csv/);
  });
});
