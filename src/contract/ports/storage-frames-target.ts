// The DO's end of linear storage for a sandboxed call: frames by index, read
// from SQLite. Writes come back with the call's reply and commit in the DO.
import { RpcTarget } from "cloudflare:workers";
import { EdgeError } from "../../errors.js";
import { MAX_FRAMES_PER_READ } from "../../limits.js";
import type { FrameSource } from "../../protocol/storage-port.js";

export class StorageFramesTarget extends RpcTarget implements FrameSource {
  readonly #read: (indices: number[]) => Array<Uint8Array | null>;

  constructor(read: (indices: number[]) => Array<Uint8Array | null>) {
    super();
    this.#read = read;
  }

  read(indices: number[]): Array<Uint8Array | null> {
    if (!Array.isArray(indices) || indices.some((i) => !Number.isSafeInteger(i) || i < 0)) {
      throw new EdgeError("BAD_REQUEST", "frame indices must be non-negative integers");
    }
    const out: Array<Uint8Array | null> = [];
    for (let at = 0; at < indices.length; at += MAX_FRAMES_PER_READ) {
      out.push(...this.#read(indices.slice(at, at + MAX_FRAMES_PER_READ)));
    }
    return out;
  }
}
