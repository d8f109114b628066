/**
 * The other tests spawn the compiled CLI (test/helpers/built-cli.ts). This one runs the bin a
 * user runs from a checkout, which loads src/ through tsx, and checks that it behaves as the
 * compiled one: same output, same error and exit code on bad input.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BUILT_CLI, staleBuildOutputs } from "../helpers/built-cli.js";
import { CANDOR_BIN, runCli } from "../helpers/cli.js";
import { repoRoot, tempDir } from "../helpers/paths.js";

const run = promisify(execFile);

function checkout(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CANDOR_BIN, ...args], { cwd: repoRoot, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe("bin/candor.js in a checkout", () => {
  it("runs the TypeScript sources and prints what the compiled CLI prints", async () => {
    // The bin picks src/ whenever it exists; a missing or stale dist/ would not stop it.
    expect(readFileSync(CANDOR_BIN, "utf8")).toContain("../src/cli/main.ts");
    expect(staleBuildOutputs()).toEqual([]);
    expect(BUILT_CLI).toMatch(/dist\/cli\/main\.js$/);
    const [a, b] = await Promise.all([checkout(["schema"]), runCli(["schema"])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(readFileSync(join(repoRoot, "candor.schema.json"), "utf8"));
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it("refuses a missing audit file with exit code 2 naming it", async () => {
    const missing = join(tempDir(), "nope.yaml");
    const [a, b] = await Promise.all([checkout(["audit", missing]), runCli(["audit", missing])]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(missing);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(a.stderr);
  });
});
