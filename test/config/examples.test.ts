import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAuditConfig } from "../../src/config/load.js";
import { planTrials } from "../../src/design/plan.js";
import { repoRoot } from "../helpers/paths.js";

const dir = join(repoRoot, "examples");

describe("examples/", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    it(`${file} is a valid audit file`, () => {
      const config = loadAuditConfig(join(dir, file));
      expect(config.subjects.length).toBeGreaterThan(1);
      // the design expands without model calls (no items needed to check subjects and params)
      expect(planTrials(config, new Map()).subjects.length).toBe(config.subjects.length);
    });
  }
});
