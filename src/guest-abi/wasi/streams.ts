// wasi:io (streams, error, poll). A stream is a cursor over a byte source or
// sink: a file at an offset, the captured stdout/stderr, or the empty stdin.
// WASI's conventions, as jco's glue lowers them: the end of a stream is the
// thrown `{ tag: "closed" }`; a failed operation is `{ tag:
// "last-operation-failed", val: Error }` and closes the stream; a JS Error
// traps. Nothing here ever blocks: every pollable is ready at once, and the
// "blocking" variants are the plain ones (the host awaits the DO instead).
import { type FsErrorCode, isFsErrorCode } from "./fs-error.js";

/** wasi:io/error `error`: why a stream operation failed (a filesystem code when there is one). */
export class IoError {
  readonly code: FsErrorCode | undefined;

  constructor(code: FsErrorCode | undefined) {
    this.code = code;
  }

  toDebugString(): string {
    return this.code ?? "stream failed";
  }
}

export class Pollable {
  ready(): boolean {
    return true;
  }

  block(): void {}
}

/** wasi:io/poll `poll`: every pollable is ready, so all indices are. */
export function poll(list: Pollable[]): Uint32Array {
  return Uint32Array.from(list.keys());
}

export interface ByteSource {
  /** Up to `length` bytes (at least one), or null at the end. */
  read(length: number): Promise<Uint8Array | null> | Uint8Array | null;
  /** Skips up to `length` bytes: how many, or null at the end. */
  skip(length: number): Promise<number | null> | number | null;
}

export interface ByteSink {
  /** Bytes the next write may take. */
  capacity(): number;
  write(bytes: Uint8Array): Promise<void> | void;
  writeZeroes(length: number): Promise<void> | void;
}

const CLOSED = { tag: "closed" } as const;

function closed(): never {
  // The glue expects the stream-error variant itself as the payload.
  // oxlint-disable-next-line no-throw-literal
  throw CLOSED;
}

/** Turns a filesystem failure into the stream error WASI reports; anything else still traps. */
function failed(error: unknown): never {
  if (!isFsErrorCode(error)) throw error;
  // oxlint-disable-next-line no-throw-literal
  throw { tag: "last-operation-failed", val: new IoError(error) };
}

function length(len: bigint): number {
  return Number(len > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : len);
}

export class InputStream {
  readonly #source: ByteSource;
  #closed = false;

  constructor(source: ByteSource) {
    this.#source = source;
  }

  async read(len: bigint): Promise<Uint8Array> {
    if (this.#closed) closed();
    if (len === 0n) return new Uint8Array(0);
    let bytes: Uint8Array | null;
    try {
      bytes = await this.#source.read(length(len));
    } catch (error) {
      this.#closed = true;
      failed(error);
    }
    if (bytes === null) closed();
    return bytes;
  }

  blockingRead(len: bigint): Promise<Uint8Array> {
    return this.read(len);
  }

  async skip(len: bigint): Promise<bigint> {
    if (this.#closed) closed();
    if (len === 0n) return 0n;
    const skipped = await this.#source.skip(length(len));
    if (skipped === null) closed();
    return BigInt(skipped);
  }

  blockingSkip(len: bigint): Promise<bigint> {
    return this.skip(len);
  }

  subscribe(): Pollable {
    return new Pollable();
  }
}

export class OutputStream {
  readonly #sink: ByteSink;
  #closed = false;

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  checkWrite(): bigint {
    if (this.#closed) closed();
    return BigInt(this.#sink.capacity());
  }

  async write(contents: Uint8Array): Promise<void> {
    await this.#run(() => this.#sink.write(contents));
  }

  blockingWriteAndFlush(contents: Uint8Array): Promise<void> {
    return this.write(contents);
  }

  /** Writes are applied when made, so a flush has nothing to wait for. */
  flush(): void {
    if (this.#closed) closed();
  }

  blockingFlush(): void {
    this.flush();
  }

  async writeZeroes(len: bigint): Promise<void> {
    await this.#run(() => this.#sink.writeZeroes(length(len)));
  }

  blockingWriteZeroesAndFlush(len: bigint): Promise<void> {
    return this.writeZeroes(len);
  }

  async splice(source: InputStream, len: bigint): Promise<bigint> {
    if (this.#closed) closed();
    const bytes = await source.read(len);
    await this.write(bytes);
    return BigInt(bytes.length);
  }

  blockingSplice(source: InputStream, len: bigint): Promise<bigint> {
    return this.splice(source, len);
  }

  subscribe(): Pollable {
    return new Pollable();
  }

  async #run(op: () => Promise<void> | void): Promise<void> {
    if (this.#closed) closed();
    try {
      await op();
    } catch (error) {
      this.#closed = true;
      failed(error);
    }
  }
}
