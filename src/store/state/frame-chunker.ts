// Re-cuts an arbitrary sequence of byte chunks into frames of exactly
// `frameBytes` (the last one shorter), copying only bytes that straddle frames.

export class FrameChunker {
  readonly #frameBytes: number;
  #pending: Uint8Array;
  #pendingLength = 0;

  constructor(frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
      throw new RangeError(`frame size must be a positive integer, got ${frameBytes}`);
    }
    this.#frameBytes = frameBytes;
    this.#pending = new Uint8Array(frameBytes);
  }

  /** Complete frames made available by `chunk`, in order. */
  *push(chunk: Uint8Array): Generator<Uint8Array> {
    const size = this.#frameBytes;
    let offset = 0;
    if (this.#pendingLength > 0) {
      const take = Math.min(size - this.#pendingLength, chunk.length);
      this.#pending.set(chunk.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength < size) return;
      yield this.#takePending();
    }
    while (chunk.length - offset >= size) {
      yield chunk.subarray(offset, offset + size);
      offset += size;
    }
    if (offset < chunk.length) {
      this.#pending.set(chunk.subarray(offset), 0);
      this.#pendingLength = chunk.length - offset;
    }
  }

  /** The final partial frame, if any bytes are left. */
  flush(): Uint8Array | undefined {
    if (this.#pendingLength === 0) return undefined;
    return this.#takePending();
  }

  #takePending(): Uint8Array {
    const frame = this.#pending.subarray(0, this.#pendingLength);
    this.#pending = new Uint8Array(this.#frameBytes);
    this.#pendingLength = 0;
    return frame;
  }
}
