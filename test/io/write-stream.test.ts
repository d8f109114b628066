/**
 * Write streams on a device that is always full (/dev/full: every write fails with ENOSPC):
 * the error comes back where the code waits, never as an uncaught exception (which vitest would
 * report, failing the run) or as a wait that never ends.
 */
import { describe, expect, it } from "vitest";
import {
  abandonStream,
  closeStream,
  openWriteStream,
  writeChunk,
} from "../../src/io/write-stream.js";

describe("write streams on a full disk", () => {
  it("closing rejects with the write's error", async () => {
    const s = openWriteStream("/dev/full");
    await writeChunk(s, "x".repeat(100));
    await expect(closeStream(s)).rejects.toMatchObject({ code: "ENOSPC" });
  });

  it("a write after a failed one rejects instead of waiting for a drain that never comes", async () => {
    const s = openWriteStream("/dev/full");
    // More than the stream's buffer: this write waits for "drain", and the failure ends the wait.
    await expect(writeChunk(s, "x".repeat(1 << 20))).rejects.toMatchObject({ code: "ENOSPC" });
    await expect(writeChunk(s, "more")).rejects.toMatchObject({ code: "ENOSPC" });
    await abandonStream(s);
  });

  it("an error between writes waits for the next write or the close", async () => {
    const s = openWriteStream("/dev/full");
    s.write("x");
    // The stream has failed with no write or close waiting on it (the case that crashed).
    await new Promise<void>((resolve) => s.once("close", () => resolve()));
    expect(s.errored).toMatchObject({ code: "ENOSPC" });
    await expect(writeChunk(s, "y")).rejects.toMatchObject({ code: "ENOSPC" });
  });
});
