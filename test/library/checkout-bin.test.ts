/**
 * bin/candor.js, the command a user runs: from a checkout whose dist/ is current (after
 * `npm ci`) it runs the compiled CLI, and from a checkout with no build or one behind an edit it
 * runs the TypeScript sources through tsx. Both behave alike: same output, same error and exit
 * code on bad input.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cliEntry } from "../../bin/build-state.js";
import { CANDOR_BIN, runCli } from "../helpers/cli.js";
import { repoRoot, tempDir } from "../helpers/paths.js";

const run = promisify(execFile);

function bin(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [file, ...args], { cwd: repoRoot, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** A checkout without dist/: the repository's bin and package.json, its src/ and node_modules. */
function unbuiltCheckout(): string {
  const root = tempDir("candor-checkout-");
  cpSync(join(repoRoot, "bin"), join(root, "bin"), { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) cpSync(join(repoRoot, f), join(root, f));
  symlinkSync(join(repoRoot, "src"), join(root, "src"));
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
  return root;
}

function touch(file: string, seconds: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "");
  utimesSync(file, seconds, seconds);
}

describe("bin/candor.js", () => {
  const schema = readFileSync(join(repoRoot, "candor.schema.json"), "utf8");

  it("runs the compiled CLI from a checkout whose dist/ is current", async () => {
    expect(cliEntry(repoRoot)).toBe("dist");
    const [a, b] = await Promise.all([bin(CANDOR_BIN, ["schema"]), runCli(["schema"])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(schema);
    expect(b.stdout).toBe(a.stdout);
  });

  it("runs the TypeScript sources from a checkout with no build, printing the same", async () => {
    const root = unbuiltCheckout();
    expect(cliEntry(root)).toBe("src");
    const missing = join(tempDir(), "nope.yaml");
    const entry = join(root, "bin", "candor.js");
    const [a, b, c] = await Promise.all([
      bin(entry, ["schema"]),
      bin(entry, ["audit", missing]),
      runCli(["audit", missing]),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(schema);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(missing);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe(b.stderr);
  });

  it("picks dist/ only when every source has a newer compiled file", () => {
    const root = tempDir("candor-entry-");
    touch(join(root, "src/cli/main.ts"), 1000);
    touch(join(root, "src/stages/audit.ts"), 1000);
    touch(join(root, "tsconfig.json"), 1000);
    expect(cliEntry(root)).toBe("src"); // nothing built yet
    touch(join(root, "dist/cli/main.js"), 2000);
    touch(join(root, "dist/stages/audit.js"), 2000);
    expect(cliEntry(root)).toBe("dist");
    touch(join(root, "src/stages/audit.ts"), 3000); // an edit not yet built
    expect(cliEntry(root)).toBe("src");
    touch(join(root, "dist/stages/audit.js"), 4000);
    touch(join(root, "tsconfig.json"), 5000); // a changed build configuration
    expect(cliEntry(root)).toBe("src");
    rmSync(join(root, "src"), { recursive: true }); // an installed package has no sources
    expect(cliEntry(root)).toBe("dist");
  });
});
