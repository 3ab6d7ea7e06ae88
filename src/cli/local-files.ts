// Local files as the client wants them: a sized stream for uploads (read in
// 1 MiB slices, never whole), bytes for small inputs, an appending sink.
import { open, readFile, stat } from "node:fs/promises";
import type { SizedStream } from "../client/types.js";

const SLICE = 1 << 20;

export async function fileStream(path: string): Promise<SizedStream> {
  const { size } = await stat(path);
  const handle = await open(path, "r");
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(SLICE);
      const { bytesRead } = await handle.read(buffer, 0, SLICE, null);
      if (bytesRead === 0) {
        await handle.close();
        return controller.close();
      }
      controller.enqueue(buffer.subarray(0, bytesRead));
    },
    async cancel() {
      await handle.close();
    },
  });
  return Object.assign(stream, { size });
}

/** A small input's bytes: a file, or standard input when `path` is "-" (as `printf ... | edge-contracts update ID -`). */
export async function fileBytes(path: string): Promise<Uint8Array> {
  if (path !== "-") return new Uint8Array(await readFile(path));
  const parts: Uint8Array[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Uint8Array);
  return new Uint8Array(Buffer.concat(parts));
}

/** The size of what is at `path` already (0 when nothing is): where a resumed download starts. */
export async function existingSize(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.size,
    () => 0,
  );
}

/** A writer that appends to `path` (created if missing); `close` when done. */
export async function appender(
  path: string,
): Promise<{ write: (chunk: Uint8Array) => Promise<void>; close: () => Promise<void> }> {
  const handle = await open(path, "a");
  return {
    write: async (chunk) => {
      await handle.write(chunk);
    },
    close: () => handle.close(),
  };
}

/** Writes to stdout, waiting when it is full (a pipe to a slow reader). */
export function writeStdout(chunk: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}
