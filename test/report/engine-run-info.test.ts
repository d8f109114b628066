/**
 * The embedded engine's threads and sequences (and their calibration) as a run records them in
 * model_files: the report's run information shows the same words in HTML and Markdown.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { describeEngineSettings } from "../../src/providers/llama-settings.js";
import { readEngineSettings } from "../../src/report/collect-run-info.js";
import { mdText } from "../../src/report/escape.js";
import { writeReport } from "../../src/report/index.js";
import { RunStore } from "../../src/store/run-store.js";
import { buildRun, type FixtureRun } from "./run-fixture.js";

const calibrated = {
  threads: 1,
  sequences: 4,
  threadsFrom: "calibration",
  sequencesFrom: "calibration",
  calibration: "cache",
  measuredAt: "2026-01-01T10:00:00.000Z",
  tokensPerSecond: 37,
  points: [
    { threads: 2, sequences: 1, tokensPerSecond: 2.41 },
    { threads: 1, sequences: 4, tokensPerSecond: 37 },
    { threads: 1, sequences: 1, tokensPerSecond: 10 },
  ],
} as const;
const CALIBRATED_LINE =
  "llama:./warm.gguf: 1 thread (calibration), 4 sequences (calibration); calibration read from cache, measured 2026-01-01 in tokens/s (threads×sequences): 1×1 10.0, 1×4 37.0, 2×1 2.41";
const CONFIG_LINE = "llama:./judge.gguf: 2 threads (config), 1 sequence (config)";

describe("describeEngineSettings", () => {
  it("names each setting's source and lists the measured rates", () => {
    expect(
      describeEngineSettings("llama:./warm.gguf", {
        ...calibrated,
        points: [...calibrated.points],
      }),
    ).toBe(CALIBRATED_LINE);
    expect(
      describeEngineSettings("llama:./judge.gguf", {
        threads: 2,
        sequences: 1,
        threadsFrom: "config",
        sequencesFrom: "config",
      }),
    ).toBe(CONFIG_LINE);
  });
});

describe("report run information", () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await buildRun({ n: 3 });
    const store = RunStore.open(run.dbFile);
    try {
      store.setMeta(
        "model_files",
        JSON.stringify([
          { ref: "llama:./warm.gguf", sha256: "a".repeat(64), bytes: 10, engine: calibrated },
          {
            ref: "llama:./judge.gguf",
            sha256: "b".repeat(64),
            bytes: 10,
            engine: { threads: 2, sequences: 1, threadsFrom: "config", sequencesFrom: "config" },
          },
          // Older runs recorded no engine settings: nothing shown for them.
          { ref: "llama:./old.gguf", sha256: "c".repeat(64), bytes: 10 },
          {
            ref: "llama:./x<script>alert(1)</script>.gguf",
            sha256: "d".repeat(64),
            bytes: 10,
            engine: { threads: 1, sequences: 1, threadsFrom: "default", sequencesFrom: "default" },
          },
        ]),
      );
    } finally {
      store.close();
    }
  });

  it("shows each embedded model's threads and sequences in report.html and report.md", async () => {
    const store = RunStore.open(run.dbFile, { readonly: true });
    try {
      expect(readEngineSettings(store)).toEqual([
        CALIBRATED_LINE,
        CONFIG_LINE,
        "llama:./x<script>alert(1)</script>.gguf: 1 thread (default), 1 sequence (default)",
      ]);
    } finally {
      store.close();
    }
    const files = await writeReport(run.runDir);
    const html = readFileSync(files.html, "utf8");
    expect(html).toContain(`Embedded engine: ${CALIBRATED_LINE}`);
    expect(html).toContain(`Embedded engine: ${CONFIG_LINE}`);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("x&lt;script&gt;alert(1)&lt;/script&gt;.gguf");
    const md = readFileSync(files.markdown, "utf8");
    // The same words, with Markdown's punctuation escaped as everywhere in report.md.
    expect(md).toContain(`Embedded engine: ${mdText(CALIBRATED_LINE)}`);
    expect(md).toContain(`Embedded engine: ${mdText(CONFIG_LINE)}`);
    expect(md).not.toContain("<script>alert(1)");
  });
});
