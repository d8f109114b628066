import { Command } from "commander";
import { vi } from "vitest";
import { registerExport } from "../../src/cli/commands/export.js";
import { registerReport } from "../../src/cli/commands/report.js";

/** Runs CLI commands in-process with the given registrations (as src/cli/main.ts does) and captures output. */
export async function runRegistered(
  register: readonly ((p: Command) => void)[],
  ...args: string[]
): Promise<{ stdout: string; stderr: string }> {
  const program = new Command().exitOverride();
  for (const r of register) r(program);
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "candor", ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr };
}

/** Runs report/export commands in-process and captures output. */
export function runCommand(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return runRegistered([registerReport, registerExport], ...args);
}
