import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CandorError } from "../errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One writer per run directory: two audits on the same run would both pick up
 * the same pending trials and pay for them twice. The lock is a file holding
 * the owner's pid; a lock whose process is gone (crash, SIGKILL) is taken over.
 */
export function lockRun(runDir: string): () => void {
  const file = join(runDir, "run.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
        process.off("exit", release);
      };
      process.on("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new CandorError(
          `${runDir}: another candor process (pid ${pid}) is working on this run; wait for it or stop it (its work is kept), then re-run. If no such process is running, delete ${file}`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new CandorError(`${runDir}: could not take the run lock ${file}`);
}
