import { createHash, createPrivateKey, createPublicKey, sign, verify as nodeVerify } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { main as asc } from "assemblyscript/asc";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_FUEL_PER_CALL, DEFAULT_FUEL_SLICE } from "../../src/limits.js";
import { FuelMeter } from "../../src/metering/fuel-meter.js";
import { meterModule } from "../../src/metering/meter-module.js";
import { METER_MODULE, REFUEL_IMPORT, START_EXPORT } from "../../src/metering/metering-abi.js";

// The AssemblyScript SDK's SHA-512 and Ed25519 verifier, compiled here exactly as a guest
// contract would be, and checked against node:crypto (OpenSSL) and @noble/hashes.

interface GuestExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  sha512Init(): void;
  sha512Update(ptr: number, len: number): void;
  sha512Final(outPtr: number): void;
  sha512OneShot(ptr: number, len: number, outPtr: number): void;
  verifierStart(publicKeyPtr: number, signaturePtr: number): void;
  verifierUpdate(ptr: number, len: number): void;
  verifierVerify(): number;
  verify(publicKeyPtr: number, signaturePtr: number, messagePtr: number, len: number): number;
  publicKeyIsValid(publicKeyPtr: number): number;
}

const FIXTURE_DIR = fileURLToPath(new URL("./fixtures/assembly/", import.meta.url));
const WINDOW = 64 * 1024; // the host's frame size: no piece handed to the guest is larger

let wasm: Uint8Array<ArrayBuffer>;
let guest: GuestExports;
let PK = 0;
let SIG = 0;
let OUT = 0;
let CHUNK = 0;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "ed25519-as-"));
  try {
    const outFile = join(dir, "ed25519.wasm");
    // baseDir = the fixture's own folder, so no asconfig.json elsewhere in the repo can leak in.
    const args = ["ed25519-entry.ts", "--baseDir", FIXTURE_DIR, "-o", outFile, "-O3", "--runtime", "stub"];
    const result = await asc([...args, "--noAssert"]);
    if (result.error) throw new Error(`asc failed: ${result.error.message}\n${result.stderr.toString()}`);
    wasm = new Uint8Array(await readFile(outFile));
    const module = await WebAssembly.compile(wasm);
    const instance = await WebAssembly.instantiate(module, { env: { abort } });
    guest = instance.exports as unknown as GuestExports;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  PK = guest.alloc(32);
  SIG = guest.alloc(64);
  OUT = guest.alloc(64);
  CHUNK = guest.alloc(WINDOW);
}, 120_000);

function abort(): never {
  throw new Error("guest abort");
}

/** The same guest metered as the platform meters contracts, and the fuel each call uses. */
function meteredGuest() {
  const meter = new FuelMeter({ limit: 1e15, slice: DEFAULT_FUEL_SLICE, depthLimit: 1000 });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(meterModule(wasm).bytes), {
    env: { abort },
    [METER_MODULE]: { [REFUEL_IMPORT]: () => meter.refuel() },
  });
  meter.attach(exports);
  const fuelOf = (call: () => unknown) => {
    meter.enter(false);
    const before = meter.used;
    const result = call();
    return { result, fuel: meter.used - before };
  };
  fuelOf(exports[START_EXPORT] as () => void); // the host runs the start function (it sets up the heap)
  const metered = exports as unknown as GuestExports;
  const at = { pk: metered.alloc(32), sig: metered.alloc(64), chunk: metered.alloc(WINDOW) };
  const write = (ptr: number, bytes: Uint8Array) => new Uint8Array(metered.memory.buffer).set(bytes, ptr);
  return { metered, fuelOf, at, write };
}

// Re-read the buffer every time: an allocation that grows memory detaches old views.
const mem = () => new Uint8Array(guest.memory.buffer);
const put = (ptr: number, bytes: Uint8Array) => mem().set(bytes, ptr);

// Splits [0, length) at the given cuts, then further so no piece exceeds the 64 KiB window.
const pieces = (length: number, cuts: number[]): Array<[number, number]> => {
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < length), length])].toSorted(
    (a, b) => a - b,
  );
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    for (let start = bounds[i]!; start < bounds[i + 1]!; start += WINDOW) {
      out.push([start, Math.min(start + WINDOW, bounds[i + 1]!)]);
    }
  }
  return out;
};

const guestSha512 = (data: Uint8Array, cuts: number[]) => {
  guest.sha512Init();
  for (const [start, end] of pieces(data.length, cuts)) {
    put(CHUNK, data.subarray(start, end));
    guest.sha512Update(CHUNK, end - start);
  }
  guest.sha512Final(OUT);
  return bytesToHex(mem().slice(OUT, OUT + 64));
};

const keyIsValid = (publicKey: Uint8Array) => {
  put(PK, publicKey);
  return guest.publicKeyIsValid(PK) === 1;
};

const oneShotVerify = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) => {
  expect(message.length).toBeLessThanOrEqual(WINDOW);
  put(PK, publicKey);
  put(SIG, signature);
  put(CHUNK, message);
  return guest.verify(PK, SIG, CHUNK, message.length) === 1;
};

const streamingVerify = (
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
  cuts: number[] = [],
) => {
  put(PK, publicKey);
  put(SIG, signature);
  guest.verifierStart(PK, SIG);
  // The verifier must have copied key and signature: scribble over the caller's copies.
  put(PK, new Uint8Array(32).fill(0xa5));
  put(SIG, new Uint8Array(64).fill(0x5a));
  for (const [start, end] of pieces(message.length, cuts)) {
    put(CHUNK, message.subarray(start, end));
    guest.verifierUpdate(CHUNK, end - start);
  }
  return guest.verifierVerify() === 1;
};

const PKCS8_ED25519_PREFIX = hexToBytes("302e020100300506032b657004220420");
const keyFromSeed = (seed: Uint8Array) => {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { privateKey, publicKey: new Uint8Array(spki.subarray(spki.length - 32)) };
};
const signWith = (seed: Uint8Array, message: Uint8Array) => {
  const { privateKey, publicKey } = keyFromSeed(seed);
  return { publicKey, signature: new Uint8Array(sign(null, message, privateKey)) };
};
const opensslAccepts = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) =>
  nodeVerify(
    null,
    message,
    { key: Buffer.concat([hexToBytes("302a300506032b6570032100"), publicKey]), format: "der", type: "spki" },
    signature,
  );

// Deterministic filler so large messages come from a small fast-check seed.
const bulk = (length: number, seed: number) => {
  const out = new Uint8Array(length);
  let counter = 0;
  for (let offset = 0; offset < length; offset += 64) {
    const block = createHash("sha512").update(`${seed}:${counter++}`).digest();
    out.set(block.subarray(0, Math.min(64, length - offset)), offset);
  }
  return out;
};

const flipBit = (bytes: Uint8Array, bit: number) => {
  const copy = bytes.slice();
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
};

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const leToBig = (bytes: Uint8Array) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const bigToLe = (value: bigint) =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));

// A slow affine BigInt reference, only to encode [S]B for chosen S: OpenSSL cannot sign with a
// chosen scalar, and scalars at the top of [0, L) never turn up by chance.
const P = (1n << 255n) - 19n;
const mod = (a: bigint) => ((a % P) + P) % P;
const pow = (base: bigint, exponent: bigint) => {
  let result = 1n;
  for (let b = mod(base), e = exponent; e > 0n; e >>= 1n, b = (b * b) % P)
    if (e & 1n) result = (result * b) % P;
  return result;
};
const inv = (a: bigint) => pow(a, P - 2n);
const CURVE_D = mod(-121665n * inv(121666n));
type Affine = [bigint, bigint];
const affineAdd = ([x1, y1]: Affine, [x2, y2]: Affine): Affine => {
  const t = mod(CURVE_D * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + y1 * x2) * inv(1n + t)), mod((y1 * y2 + x1 * x2) * inv(1n - t))];
};
const BASE_POINT = ((): Affine => {
  const y = mod(4n * inv(5n));
  const x2 = mod((y * y - 1n) * inv(CURVE_D * y * y + 1n));
  let x = pow(x2, (P + 3n) / 8n);
  if (mod(x * x) !== x2) x = mod(x * pow(2n, (P - 1n) / 4n));
  return [x & 1n ? P - x : x, y];
})();
const encodeMultiple = (scalar: bigint) => {
  let acc: Affine = [0n, 1n];
  for (let i = 255; i >= 0; i--) {
    acc = affineAdd(acc, acc);
    if ((scalar >> BigInt(i)) & 1n) acc = affineAdd(acc, BASE_POINT);
  }
  return bigToLe(acc[1] | ((acc[0] & 1n) << 255n));
};

const RFC8032 = [
  {
    name: "TEST 1 (empty message)",
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "TEST 2 (1 byte)",
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "TEST 3 (2 bytes)",
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

describe("AssemblyScript SHA-512", () => {
  it("matches @noble/hashes across block and padding boundaries", () => {
    for (const length of [0, 1, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257]) {
      const data = bulk(length, length);
      expect(guestSha512(data, [])).toBe(bytesToHex(sha512(data)));
      put(CHUNK, data);
      guest.sha512OneShot(CHUNK, length, OUT);
      expect(bytesToHex(mem().slice(OUT, OUT + 64))).toBe(bytesToHex(sha512(data)));
    }
  });

  it("matches @noble/hashes for any input cut anywhere", () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 3000 })
          .chain((data) =>
            fc.tuple(fc.constant(data), fc.array(fc.nat({ max: data.length }), { maxLength: 10 })),
          ),
        ([data, cuts]) => {
          expect(guestSha512(data, cuts)).toBe(bytesToHex(sha512(data)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("streams a multi-megabyte input through the 64 KiB window", () => {
    const data = bulk(3 * WINDOW * 5 + 77, 7);
    expect(guestSha512(data, [1, 127, WINDOW + 3])).toBe(bytesToHex(sha512(data)));
  });

  it("is ready for a new message straight after final()", () => {
    const data = bulk(300, 1);
    guestSha512(bulk(1000, 2), [5]);
    put(CHUNK, data);
    guest.sha512Update(CHUNK, data.length);
    guest.sha512Final(OUT);
    expect(bytesToHex(mem().slice(OUT, OUT + 64))).toBe(bytesToHex(sha512(data)));
  });
});

describe("AssemblyScript Ed25519 verification", () => {
  it.each(RFC8032)("accepts RFC 8032 $name", ({ seed, publicKey, message, signature }) => {
    // The vectors themselves, double-checked against OpenSSL's signer.
    const signed = signWith(hexToBytes(seed), hexToBytes(message));
    expect(bytesToHex(signed.publicKey)).toBe(publicKey);
    expect(bytesToHex(signed.signature)).toBe(signature);

    expect(oneShotVerify(hexToBytes(publicKey), hexToBytes(signature), hexToBytes(message))).toBe(true);
    expect(streamingVerify(hexToBytes(publicKey), hexToBytes(signature), hexToBytes(message))).toBe(true);
  });

  it("accepts signatures from random keys over random messages, cut anywhere", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 6 }),
        (seed, message, cuts) => {
          const { publicKey, signature } = signWith(seed, message);
          expect(keyIsValid(publicKey)).toBe(true);
          expect(oneShotVerify(publicKey, signature, message)).toBe(true);
          expect(streamingVerify(publicKey, signature, message, cuts)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("accepts messages larger than 64 KiB fed in several pieces", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: WINDOW + 1, max: 5 * WINDOW }),
        fc.nat(),
        fc.array(fc.nat({ max: 5 * WINDOW }), { maxLength: 6 }),
        (seed, length, fill, cuts) => {
          const message = bulk(length, fill);
          const { publicKey, signature } = signWith(seed, message);
          expect(streamingVerify(publicKey, signature, message, cuts)).toBe(true);
          const tampered = flipBit(message, fill % (length * 8));
          expect(streamingVerify(publicKey, signature, tampered, cuts)).toBe(false);
        },
      ),
      { numRuns: 8 },
    );
  });

  it("rejects any single flipped bit in the signature, message or public key", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.constantFrom("signature", "message", "publicKey"),
        fc.nat(),
        (seed, message, target, bitSeed) => {
          const signed = signWith(seed, message);
          const forged = { ...signed, message };
          if (target === "signature") forged.signature = flipBit(signed.signature, bitSeed % 512);
          else if (target === "publicKey") forged.publicKey = flipBit(signed.publicKey, bitSeed % 256);
          else forged.message = flipBit(message, bitSeed % (message.length * 8));
          expect(opensslAccepts(forged.publicKey, forged.signature, forged.message)).toBe(false);
          expect(oneShotVerify(forged.publicKey, forged.signature, forged.message)).toBe(false);
          expect(streamingVerify(forged.publicKey, forged.signature, forged.message, [1])).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("rejects S >= L, including S + L which satisfies the group equation", () => {
    const message = new TextEncoder().encode("malleable?");
    const { publicKey, signature } = signWith(new Uint8Array(32).fill(7), message);
    const s = leToBig(signature.subarray(32));
    expect(s < L).toBe(true);
    for (const bad of [s + L, L, (1n << 256n) - 1n]) {
      const forged = Uint8Array.from([...signature.subarray(0, 32), ...bigToLe(bad)]);
      expect(oneShotVerify(publicKey, forged, message)).toBe(false);
      expect(streamingVerify(publicKey, forged, message)).toBe(false);
    }
    expect(oneShotVerify(publicKey, signature, message)).toBe(true);
  });

  it("handles every bit of S, up to the largest canonical value", () => {
    // With the identity as key, [k]A vanishes and (R = [S]B, S) is valid for any message.
    const identity = bigToLe(1n);
    const message = new TextEncoder().encode("edge scalars");
    // The base point encoding doubles as a check on the reference itself.
    expect(bytesToHex(encodeMultiple(1n))).toBe("58" + "66".repeat(31));
    for (const s of [0n, 1n, (1n << 252n) - 1n, 1n << 252n, L - 1n]) {
      const signature = Uint8Array.from([...encodeMultiple(s), ...bigToLe(s)]);
      expect(oneShotVerify(identity, signature, message)).toBe(true);
      const wrongR = Uint8Array.from([...encodeMultiple(s + 1n), ...bigToLe(s)]);
      expect(oneShotVerify(identity, wrongR, message)).toBe(false);
    }
  });

  it("rejects public keys that do not decode", () => {
    // R = identity, S = 0: valid for the identity key, because [0]B = identity + [k]identity.
    // A lax decoder that mapped a malformed encoding to the identity would accept it too.
    const identityR = bigToLe(1n);
    const signature = Uint8Array.from([...identityR, ...new Uint8Array(32)]);
    const message = new Uint8Array([1, 2, 3]);
    // Control: RFC 8032 (cofactorless, no small-order key check) accepts the canonical identity key.
    expect(oneShotVerify(bigToLe(1n), signature, message)).toBe(true);
    expect(keyIsValid(bigToLe(1n))).toBe(true);
    // y = 3 is on the curve (its x^2 is a nonzero square), so both signs of x decode.
    expect(keyIsValid(bigToLe(3n))).toBe(true);
    expect(keyIsValid(bigToLe(3n | (1n << 255n)))).toBe(true);

    const p = (1n << 255n) - 19n;
    const negativeZero = bigToLe(1n);
    negativeZero[31]! |= 0x80; // x = 0 with the sign bit set
    const notOnCurve = bigToLe(2n); // (4 - 1)/(4d + 1) has no square root mod p
    for (const publicKey of [bigToLe(p + 1n), negativeZero, notOnCurve, bigToLe(p)]) {
      expect(keyIsValid(publicKey)).toBe(false);
      expect(oneShotVerify(publicKey, signature, message)).toBe(false);
      expect(streamingVerify(publicKey, signature, message)).toBe(false);
    }
  });

  it("keeps its answer after verify() and ignores late updates", () => {
    const message = bulk(1000, 3);
    const { publicKey, signature } = signWith(new Uint8Array(32).fill(9), message);
    expect(streamingVerify(publicKey, signature, message)).toBe(true);
    guest.verifierUpdate(CHUNK, 10);
    expect(guest.verifierVerify()).toBe(1);
  });

  // Fuel, not a stopwatch: the platform's count of the guest's instructions, the same on every machine.
  it("hashes the message for the same fuel per 128-byte block, however it is cut", () => {
    const { metered, fuelOf, at, write } = meteredGuest();
    const blocks = [1, 2, 4, 3, 64, 512, 1, 17];
    const message = bulk(128 * blocks.reduce((a, b) => a + b), 5);
    const { publicKey, signature } = signWith(new Uint8Array(32).fill(5), message);
    write(at.pk, publicKey);
    write(at.sig, signature);
    fuelOf(() => metered.verifierStart(at.pk, at.sig)); // hashes R || A: 64 bytes wait for the next block
    let offset = 0;
    const fuel = blocks.map((n) => {
      write(at.chunk, message.subarray(offset, offset + 128 * n));
      offset += 128 * n;
      return fuelOf(() => metered.verifierUpdate(at.chunk, 128 * n)).fuel;
    });
    const [one = 0, two = 0] = fuel;
    const perBlock = two - one;
    expect(perBlock).toBeGreaterThan(0);
    // A fixed cost per piece plus the same per block: linear in the message, wherever a piece falls.
    expect(fuel).toEqual(blocks.map((n) => one + (n - 1) * perBlock));
    expect(fuelOf(() => metered.verifierVerify()).result).toBe(1);
  });

  it("verifies a signature for at most 2% of a call's default fuel, whatever the message", () => {
    const { metered, fuelOf, at, write } = meteredGuest();
    const start = new Set<number>();
    const verify: number[] = [];
    for (const [seed, length] of [
      [3, 256],
      [4, 0],
      [5, 1000],
      [6, WINDOW],
      [7, 3 * WINDOW + 77],
      [8, 256],
    ] as const) {
      const message = bulk(length, seed);
      const { publicKey, signature } = signWith(new Uint8Array(32).fill(seed), message);
      write(at.pk, publicKey);
      write(at.sig, signature);
      start.add(fuelOf(() => metered.verifierStart(at.pk, at.sig)).fuel);
      for (const [from, to] of pieces(length, [])) {
        write(at.chunk, message.subarray(from, to));
        fuelOf(() => metered.verifierUpdate(at.chunk, to - from));
      }
      const outcome = fuelOf(() => metered.verifierVerify());
      expect(outcome.result).toBe(1);
      expect(streamingVerify(publicKey, signature, message)).toBe(true); // and unmetered
      verify.push(outcome.fuel);
    }
    expect(start.size).toBe(1);
    // The curve arithmetic varies with the scalars' bits, not with the message length (the first
    // call also sets up the curve constants): 50 verifications fit in a call's default budget.
    for (const fuel of verify) expect(fuel).toBeLessThan(DEFAULT_FUEL_PER_CALL / 50);
  });
});
