import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { BUILT_CLI } from "./built-cli.js";
import { repoRoot } from "./paths.js";

/** The bin a user runs; from a checkout it runs src/ through tsx (test/library/checkout-bin.test.ts). */
export const CANDOR_BIN = join(repoRoot, "bin/candor.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the CLI's path (e.g. `--import <hook>`). */
  nodeArgs?: string[];
}

/**
 * Runs the real `candor` CLI in a child process, as a user would: the compiled one the
 * package ships (dist/, brought up to date by test/helpers/global-setup.ts).
 */
export function startCli(
  args: string[],
  options: CliOptions = {},
): {
  child: ChildProcess;
  done: Promise<CliResult>;
} {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BUILT_CLI, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
