// The DO's end of the state channel: the sandbox calls read() over RPC (from a
// JSPI-suspended refill or while prefetching) and gets bytes from SQLite.
import { RpcTarget } from "cloudflare:workers";
import { EdgeError } from "../../errors.js";
import { MAX_READ_AHEAD_BYTES } from "../../limits.js";
import type { StateReader } from "../../protocol/sandbox-call.js";

export class StateReaderTarget extends RpcTarget implements StateReader {
  readonly #read: (offset: number, length: number) => Uint8Array;

  constructor(read: (offset: number, length: number) => Uint8Array) {
    super();
    this.#read = read;
  }

  read(offset: number, length: number): Uint8Array {
    // The sandbox runs untrusted code next to our runtime: bound what one call can ask for.
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_READ_AHEAD_BYTES) {
      throw new EdgeError("BAD_REQUEST", `state reads are limited to ${MAX_READ_AHEAD_BYTES} bytes`);
    }
    return this.#read(offset, length);
  }
}
