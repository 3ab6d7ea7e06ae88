import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestStreamFactory, nobleStateDigest } from "../../src/hashing/state-digest.js";
import { cutAt, patterned } from "../support/bytes.js";
import { SMALL_DIGEST_BYTES } from "../../src/limits.js";

/** A stand-in for workerd's DigestStream: a WritableStream that hashes what it is written. */
class FakeDigestStream extends WritableStream<Uint8Array> {
  readonly digest: Promise<ArrayBuffer>;
  constructor(_algorithm: "SHA-256", failAt = -1) {
    const hasher = sha256.create();
    let writes = 0;
    let settle: (digest: ArrayBuffer) => void = () => {};
    super({
      write(chunk) {
        if (writes++ === failAt) throw new Error("digest write failed");
        hasher.update(chunk);
      },
      close() {
        settle(hasher.digest().slice().buffer);
      },
    });
    this.digest = new Promise((resolve) => (settle = resolve));
  }
}

describe("state digest (SHA-256)", () => {
  it("any cut of the bytes gives the SHA-256 of the whole, native or pure", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(fc.nat({ max: 300_000 }), { maxLength: 6 }),
        async (size, cuts) => {
          const data = patterned(size, cuts.length);
          for (const factory of [nobleStateDigest, digestStreamFactory(FakeDigestStream)]) {
            const digest = factory();
            for (const piece of cutAt(data, cuts)) digest.update(piece);
            expect(await digest.digest()).toEqual(sha256(data));
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("opens a stream only once the input outgrows SMALL_DIGEST_BYTES, and hashes held bytes as they were", async () => {
    let opened = 0;
    class Counting extends FakeDigestStream {
      constructor(algorithm: "SHA-256") {
        super(algorithm);
        opened++;
      }
    }
    const factory = digestStreamFactory(Counting);
    const small = factory();
    const reused = patterned(SMALL_DIGEST_BYTES, 1);
    small.update(reused);
    const expected = sha256(reused);
    reused.fill(0);
    expect(await small.digest()).toEqual(expected);
    expect(opened).toBe(0);

    const large = factory();
    const first = patterned(SMALL_DIGEST_BYTES - 1, 2);
    const second = patterned(2, 3);
    large.update(first);
    large.update(second);
    expect(opened).toBe(1);
    expect(await large.digest()).toEqual(sha256(new Uint8Array([...first, ...second])));
  });

  it("a failed unawaited write surfaces at digest()", async () => {
    class FailsSecond extends FakeDigestStream {
      constructor(algorithm: "SHA-256") {
        super(algorithm, 1);
      }
    }
    const digest = digestStreamFactory(FailsSecond)();
    for (let i = 0; i < 3; i++) digest.update(patterned(SMALL_DIGEST_BYTES, i));
    await expect(digest.digest()).rejects.toThrow("digest write failed");
  });
});
