// SHA-256 of a state's bytes (its hash and ETag), streamed as the rows arrive.
// workerd's native crypto.DigestStream hashes at twice the speed of our BLAKE3
// wasm (issue 16); where it is missing (node tests) @noble/hashes computes the
// same digest. BLAKE3 stays for what Freenet defines with it (code hashes,
// instance ids, the files merkle tree).
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { SMALL_DIGEST_BYTES } from "../limits.js";

export interface StateDigest {
  /** Hashes `bytes` as they are now: the caller may hand the same buffer on (to SQL) or reuse it. */
  update(bytes: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

export type StateDigestFactory = () => StateDigest;

/** The part of workerd's DigestStream this module uses (node's lib types lack it). */
type DigestStreamClass = new (algorithm: "SHA-256") => WritableStream<Uint8Array> & {
  readonly digest: Promise<ArrayBuffer>;
};

/**
 * Native streaming SHA-256. Writes are not awaited one by one: workerd hashes a
 * chunk inside write() (test/workers/digest-stream.test.ts checks that it reads
 * the bytes at the call and does not detach the buffer), so a pending write
 * costs nothing and close() settles them all in order. A state of at most
 * SMALL_DIGEST_BYTES never opens a stream: its stream, writer and close cost a
 * counter update ~0.3 ms of the thread, where @noble/hashes takes microseconds.
 */
export function digestStreamFactory(DigestStream: DigestStreamClass): StateDigestFactory {
  return () => {
    let stream: InstanceType<DigestStreamClass> | null = null;
    let writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
    let held: Uint8Array[] = [];
    let heldBytes = 0;
    let failure: unknown = null;
    const remember = (error: unknown) => {
      failure ??= error;
    };
    const write = (bytes: Uint8Array) => {
      writer?.write(bytes).catch(remember);
    };
    return {
      update(bytes) {
        if (writer) return write(bytes);
        if (heldBytes + bytes.length <= SMALL_DIGEST_BYTES) {
          // A copy: the caller may reuse its buffer once update returns.
          held.push(bytes.slice());
          heldBytes += bytes.length;
          return;
        }
        stream = new DigestStream("SHA-256");
        writer = stream.getWriter();
        for (const piece of held) write(piece);
        held = [];
        write(bytes);
      },
      async digest() {
        if (!stream || !writer) return sha256(concatBytes(...held));
        await writer.close().catch(remember);
        if (failure !== null) throw failure;
        return new Uint8Array(await stream.digest);
      },
    };
  };
}

/** Pure-JS SHA-256, the same digest where DigestStream does not exist. */
export const nobleStateDigest: StateDigestFactory = () => {
  const hasher = sha256.create();
  return {
    update(bytes) {
      hasher.update(bytes);
    },
    async digest() {
      return hasher.digest();
    },
  };
};

const native = (globalThis as { crypto?: { DigestStream?: DigestStreamClass } }).crypto?.DigestStream;

/** The fastest state digest this runtime has. */
export const newStateDigest: StateDigestFactory = native ? digestStreamFactory(native) : nobleStateDigest;
