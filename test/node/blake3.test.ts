import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newHasher } from "./support/hasher.js";

// Official BLAKE3 test vectors: input byte i is i % 251.
const vectorInput = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251);
const OFFICIAL: Array<[number, string]> = [
  [0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"],
  [1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"],
  [1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"],
  [1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"],
  [1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"],
  [2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"],
  [2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"],
  [3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"],
  [31744, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47"],
];

const hashInPieces = (data: Uint8Array, cuts: number[]) => {
  const hasher = newHasher();
  let start = 0;
  for (const cut of cuts.toSorted((a, b) => a - b)) {
    hasher.update(data.subarray(start, cut));
    start = cut;
  }
  return bytesToHex(hasher.update(data.subarray(start)).digest());
};

describe("build-time BLAKE3 wasm", () => {
  it.each(OFFICIAL)("matches the official vector for %i bytes", (length, hex) => {
    expect(bytesToHex(newHasher().update(vectorInput(length)).digest())).toBe(hex);
  });

  it("matches @noble/hashes for any input cut anywhere", () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 5000 })
          .chain((data) =>
            fc.tuple(fc.constant(data), fc.array(fc.nat({ max: data.length }), { maxLength: 8 })),
          ),
        ([data, cuts]) => {
          expect(hashInPieces(data, cuts)).toBe(bytesToHex(blake3(data)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches @noble/hashes across many chunks and the 64 KiB input window", () => {
    for (const length of [65535, 65536, 65537, 3 * 65536 + 17, 1 << 20]) {
      const data = vectorInput(length);
      expect(
        hashInPieces(
          data,
          [1, 65536, length - 3].filter((n) => n <= length),
        ),
      ).toBe(bytesToHex(blake3(data)));
    }
  });

  it("refuses reuse after digest", () => {
    const hasher = newHasher();
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/finalized/);
  });
});
