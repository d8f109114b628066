/**
 * File write streams whose errors (a full disk, a vanished directory) surface where the code
 * waits — at the next write or at close — and never as an uncaught exception or a wait that
 * never ends. Plain `createWriteStream` did both: an error between writes crashed the process
 * with a stack trace, and an await on "drain" after a failed write never returned (the process
 * then exited 13, saying nothing).
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { finished } from "node:stream/promises";

export function openWriteStream(
  path: string,
  options?: Parameters<typeof createWriteStream>[1],
): WriteStream {
  const stream = createWriteStream(path, options);
  // Kept for the stream's life; the error itself is rethrown by writeChunk/closeStream.
  stream.on("error", () => {});
  return stream;
}

/** Writes a chunk, waiting for the buffer to drain when it is full; throws the stream's error. */
export async function writeChunk(stream: WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (!stream.write(chunk)) await once(stream, "drain");
}

/** Ends the stream (with a last chunk) and waits until the file is flushed and closed. */
export async function closeStream(stream: WriteStream, last?: string): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (last === undefined) stream.end();
  else stream.end(last);
  await finished(stream);
}

/** Stops a stream after a failure and waits for its pending writes to settle. */
export async function abandonStream(stream: WriteStream): Promise<void> {
  stream.destroy();
  await finished(stream).catch(() => undefined);
}
