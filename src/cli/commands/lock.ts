import type { Command } from "commander";
import { prepareAudit } from "../../stages/audit.js";
import { buildLock, lockModels, readLock, writeLock } from "../../stages/source-lock.js";
import { downloadProgress } from "../download-bar.js";

export function registerLock(program: Command): void {
  program
    .command("lock")
    .description(
      "Record the sha256 (and hub commit) of every dataset and local model file in <config>.lock.json; later runs check them",
    )
    .argument("<config>", "audit YAML file")
    .action(async (configFile: string) => {
      const previous = readLock(configFile);
      const downloads = downloadProgress();
      try {
        // Re-locking accepts the current bytes: read them without checking the old lock.
        const loaded = await prepareAudit(configFile, {
          ignoreLock: true,
          onDownloadProgress: downloads.onProgress,
        });
        const models = await lockModels(loaded.config);
        downloads.stop();
        const file = writeLock(configFile, buildLock(loaded, models));
        const files = loaded.datasets.reduce((n, d) => n + d.files.length, 0);
        process.stdout.write(
          `${previous ? "Updated" : "Wrote"} ${file}: ${files} dataset files (${loaded.datasets.length} tasks), ${models.length} model files.\n` +
            "candor plan and candor audit of this config now stop if any of them changes.\n",
        );
      } finally {
        downloads.stop();
      }
    });
}
