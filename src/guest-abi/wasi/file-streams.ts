// The byte sources and sinks behind a file's streams: each keeps its own
// offset (an append stream writes at the end, whatever the end is by then).
import { FILE_PAGE_BYTES } from "../../protocol/files-port.js";
import type { Inode } from "./inode.js";
import type { ByteSink, ByteSource } from "./streams.js";
import type { Volume } from "./volume.js";

export class FileReader implements ByteSource {
  readonly #volume: Volume;
  readonly #inode: Inode;
  #offset: number;

  constructor(volume: Volume, inode: Inode, offset: number) {
    this.#volume = volume;
    this.#inode = inode;
    this.#offset = offset;
  }

  async read(length: number): Promise<Uint8Array | null> {
    this.#volume.chargeOp();
    const bytes = await this.#volume.read(this.#inode, this.#offset, length);
    if (bytes !== null) this.#offset += bytes.length;
    return bytes;
  }

  skip(length: number): number | null {
    this.#volume.chargeOp();
    if (this.#offset >= this.#inode.size) return null;
    const skipped = Math.min(length, this.#inode.size - this.#offset);
    this.#offset += skipped;
    return skipped;
  }
}

export class FileWriter implements ByteSink {
  readonly #volume: Volume;
  readonly #inode: Inode;
  /** null: append. */
  #offset: number | null;

  constructor(volume: Volume, inode: Inode, offset: number | null) {
    this.#volume = volume;
    this.#inode = inode;
    this.#offset = offset;
  }

  capacity(): number {
    return Math.max(FILE_PAGE_BYTES, this.#volume.limits.writeBufferBytes);
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.#volume.chargeOp();
    const offset = this.#offset ?? this.#inode.size;
    await this.#volume.write(this.#inode, offset, bytes);
    if (this.#offset !== null) this.#offset = offset + bytes.length;
  }

  async writeZeroes(length: number): Promise<void> {
    this.#volume.chargeOp();
    const offset = this.#offset ?? this.#inode.size;
    await this.#volume.writeZeroes(this.#inode, offset, length);
    if (this.#offset !== null) this.#offset = offset + length;
  }
}
