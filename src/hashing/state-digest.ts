// SHA-256 of a state's bytes (its hash and ETag), streamed as the rows arrive.
// workerd's native crypto.DigestStream hashes at twice the speed of our BLAKE3
// wasm (issue 16); where it is missing (node tests) @noble/hashes computes the
// same digest. BLAKE3 stays for what Freenet defines with it (code hashes,
// instance ids, the files merkle tree).
import { sha256 } from "@noble/hashes/sha2.js";

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
 * costs nothing and close() settles them all in order.
 */
export function digestStreamFactory(DigestStream: DigestStreamClass): StateDigestFactory {
  return () => {
    const stream = new DigestStream("SHA-256");
    const writer = stream.getWriter();
    let failure: unknown = null;
    const remember = (error: unknown) => {
      failure ??= error;
    };
    return {
      update(bytes) {
        writer.write(bytes).catch(remember);
      },
      async digest() {
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
