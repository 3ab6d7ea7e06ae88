// The DO's end of the page channel: the sandbox calls read() over RPC (from a
// JSPI-suspended refill or while prefetching) and gets bytes from SQLite.
import { RpcTarget } from "cloudflare:workers";
import type { PageReader } from "../../guest-abi/input-source.js";
import { EdgeError } from "../../errors.js";
import { MAX_READ_AHEAD_BYTES } from "../../limits.js";

export class PageReaderTarget extends RpcTarget implements PageReader {
  readonly #read: (offset: number, length: number) => Uint8Array;
  /** Round trips served, for tests and stats. */
  reads = 0;

  constructor(read: (offset: number, length: number) => Uint8Array) {
    super();
    this.#read = read;
  }

  read(offset: number, length: number): Uint8Array {
    // The sandbox runs untrusted code next to our runtime: bound what one call can ask for.
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_READ_AHEAD_BYTES) {
      throw new EdgeError("BAD_REQUEST", `page reads are limited to ${MAX_READ_AHEAD_BYTES} bytes`);
    }
    this.reads++;
    return this.#read(offset, length);
  }
}
