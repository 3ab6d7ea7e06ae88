// Ed25519 signature verification (RFC 8032, cofactorless) for WebAssembly guest contracts.
//
// Only verification is implemented, and every input to it is public, so nothing here tries
// to be constant-time: branches on scalar bits and early exits are fine and buy speed.
//
// Field elements mod p = 2^255 - 19 are 16 signed i64 limbs of radix 2^16 held in static
// linear memory (128 bytes each). Signed limbs let sums and differences skip carrying:
// products of limbs up to ~2^18 still accumulate in 64 bits. Everything lives in fixed
// scratch slots, so a verification allocates nothing under `--runtime stub`.

import { Sha512 } from "./sha512";

const FE: usize = 128;
const PT: usize = 4 * FE; // extended coordinates X, Y, Z, T with x = X/Z, y = Y/Z, xy = T/Z

// d = -121665/121666, sqrt(-1) and the base point encoding (y = 4/5, x even), little-endian.
const D_BYTES = memory.data<u8>([
  0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
  0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
]);
const SQRTM1_BYTES = memory.data<u8>([
  0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
  0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
]);
const BASE_BYTES = memory.data<u8>([
  0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
]);
// Group order L = 2^252 + 27742317777372353535851937790883648493, little-endian; read as
// eight little-endian u32 words by the scalar code.
const L_BYTES = memory.data<u8>([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

// Constants decoded on first use, and the points one verification works with
// (B - A is kept so each ladder step adds at most once).
const CONSTS = memory.data(4 * 128, 16);
const ONE = CONSTS, D = CONSTS + FE, D2 = CONSTS + 2 * FE, SQRTM1 = CONSTS + 3 * FE;
const POINTS = memory.data(4 * 512, 16);
const BASE = POINTS, NEG_A = POINTS + PT, BASE_NEG_A = POINTS + 2 * PT, ACC = POINTS + 3 * PT;

// Scratch, one line per layer (multiply, pack/compare, point ops, powers, decode, encode,
// scalars). No layer calls back into one above it, so slots are never clobbered mid-use.
const SCRATCH = memory.data(26 * 128, 16);
const MUL_B38 = SCRATCH, MUL_OUT = SCRATCH + FE;
const PACK_T = SCRATCH + 2 * FE, PACK_M = SCRATCH + 3 * FE, EQ_A = SCRATCH + 4 * FE, EQ_B = EQ_A + 32;
const TA = SCRATCH + 5 * FE, TB = TA + FE, TC = TA + 2 * FE, TD = TA + 3 * FE;
const TE = TA + 4 * FE, TF = TA + 5 * FE, TG = TA + 6 * FE, TH = TA + 7 * FE;
const POW0 = SCRATCH + 13 * FE, POW1 = POW0 + FE, POW2 = POW0 + 2 * FE, POW11 = POW0 + 3 * FE;
const DEC_U = SCRATCH + 17 * FE, DEC_V = DEC_U + FE, DEC_V3 = DEC_U + 2 * FE, DEC_CHK = DEC_U + 3 * FE;
const ENC_ZI = SCRATCH + 21 * FE, ENC_X = ENC_ZI + FE, ENC_Y = ENC_ZI + 2 * FE, ENC_OUT = ENC_ZI + 3 * FE;
const HASH = SCRATCH + 25 * FE, K_SCALAR = HASH + 64;

// ---- field arithmetic mod 2^255 - 19 ----

// @ts-ignore: decorator
@inline function limb(p: usize, i: usize): i64 {
  return load<i64>(p + (i << 3));
}

// @ts-ignore: decorator
@inline function setLimb(p: usize, i: usize, v: i64): void {
  store<i64>(p + (i << 3), v);
}

function feAdd(o: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 16; i++) setLimb(o, i, limb(a, i) + limb(b, i));
}

function feSub(o: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 16; i++) setLimb(o, i, limb(a, i) - limb(b, i));
}

function feNeg(o: usize, a: usize): void {
  for (let i: usize = 0; i < 16; i++) setLimb(o, i, -limb(a, i));
}

// One carry pass. The arithmetic shift floors, so negative limbs borrow correctly, and the
// carry out of the top limb re-enters at the bottom times 38 because 2^256 = 38 (mod p).
function feCarry(o: usize): void {
  for (let i: usize = 0; i < 16; i++) {
    const v = limb(o, i);
    const c = v >> 16;
    setLimb(o, i, v & 0xffff);
    if (i < 15) setLimb(o, i + 1, limb(o, i + 1) + c);
    else setLimb(o, 0, limb(o, 0) + 38 * c);
  }
}

// Product scanning: output limb k collects a_i*b_j for i+j = k and, folded down by the
// same 2^256 = 38 identity, 38*a_i*b_j for i+j = k+16. Pre-scaling b by 38 keeps that out
// of the inner loop. Writes go to a private slot so o may alias a or b.
function feMul(o: usize, a: usize, b: usize): void {
  for (let j: usize = 0; j < 16; j++) setLimb(MUL_B38, j, 38 * limb(b, j));
  for (let k: usize = 0; k < 16; k++) {
    let s: i64 = 0;
    for (let i: usize = 0; i <= k; i++) s += limb(a, i) * limb(b, k - i);
    for (let i: usize = k + 1; i < 16; i++) s += limb(a, i) * limb(MUL_B38, 16 + k - i);
    setLimb(MUL_OUT, k, s);
  }
  feCarry(MUL_OUT);
  feCarry(MUL_OUT);
  memory.copy(o, MUL_OUT, FE);
}

// @ts-ignore: decorator
@inline function feSq(o: usize, a: usize): void {
  feMul(o, a, a);
}

function feSqN(o: usize, a: usize, n: i32): void {
  feSq(o, a);
  for (let i = 1; i < n; i++) feSq(o, o);
}

// Canonical 32-byte little-endian encoding (value fully reduced below p).
function fePack(out: usize, a: usize): void {
  memory.copy(PACK_T, a, FE);
  // Three passes bring any limb sizes this file produces into [0, 2^16).
  feCarry(PACK_T);
  feCarry(PACK_T);
  feCarry(PACK_T);
  // The value is now below 2^256 = 2p + 38, so at most two subtractions of p finish it.
  for (let round = 0; round < 2; round++) {
    let borrow: i64 = 0;
    for (let i: usize = 0; i < 16; i++) {
      const pl: i64 = i == 0 ? 0xffed : i == 15 ? 0x7fff : 0xffff;
      const v = limb(PACK_T, i) - pl - borrow;
      borrow = (v >> 16) & 1;
      setLimb(PACK_M, i, v & 0xffff);
    }
    if (borrow == 0) memory.copy(PACK_T, PACK_M, FE);
  }
  for (let i: usize = 0; i < 16; i++) store<u16>(out + (i << 1), <u16>limb(PACK_T, i));
}

// Ignores the top bit, which in a point encoding carries the sign of x.
function feUnpack(o: usize, bytes: usize): void {
  for (let i: usize = 0; i < 16; i++) setLimb(o, i, <i64>load<u16>(bytes + (i << 1)));
  setLimb(o, 15, limb(o, 15) & 0x7fff);
}

function feEqual(a: usize, b: usize): bool {
  fePack(EQ_A, a);
  fePack(EQ_B, b);
  return memory.compare(EQ_A, EQ_B, 32) == 0;
}

// "Negative" in RFC 8032 terms: the canonical value is odd.
function feIsOdd(a: usize): u32 {
  fePack(EQ_A, a);
  return load<u8>(EQ_A) & 1;
}

function feIsZero(a: usize): bool {
  fePack(EQ_A, a);
  return load<u64>(EQ_A) == 0 && load<u64>(EQ_A, 8) == 0 && load<u64>(EQ_A, 16) == 0 && load<u64>(EQ_A, 24) == 0;
}

// Shared prefix of the two exponentiations: leaves z^11 in POW11 and z^(2^250 - 1) in POW0.
// An addition chain instead of square-and-multiply saves about 240 multiplications each.
function powChain(z: usize): void {
  feSq(POW0, z); // 2
  feSqN(POW1, POW0, 2); // 8
  feMul(POW1, POW1, z); // 9
  feMul(POW11, POW0, POW1); // 11
  feSq(POW0, POW11); // 22
  feMul(POW1, POW1, POW0); // 2^5 - 1
  feSqN(POW0, POW1, 5);
  feMul(POW1, POW0, POW1); // 2^10 - 1
  feSqN(POW0, POW1, 10);
  feMul(POW2, POW0, POW1); // 2^20 - 1
  feSqN(POW0, POW2, 20);
  feMul(POW0, POW0, POW2); // 2^40 - 1
  feSqN(POW0, POW0, 10);
  feMul(POW1, POW0, POW1); // 2^50 - 1
  feSqN(POW0, POW1, 50);
  feMul(POW2, POW0, POW1); // 2^100 - 1
  feSqN(POW0, POW2, 100);
  feMul(POW0, POW0, POW2); // 2^200 - 1
  feSqN(POW0, POW0, 50);
  feMul(POW0, POW0, POW1); // 2^250 - 1
}

// z^(p - 2) = z^(2^255 - 21) = 1/z for nonzero z.
function feInvert(o: usize, z: usize): void {
  powChain(z);
  feSqN(POW0, POW0, 5);
  feMul(o, POW0, POW11);
}

// z^((p - 5)/8) = z^(2^252 - 3), the core of the square root in point decoding.
function fePow2523(o: usize, z: usize): void {
  powChain(z);
  feSqN(POW0, POW0, 2);
  feMul(o, POW0, z);
}

// ---- points on -x^2 + y^2 = 1 + d x^2 y^2 ----

// add-2008-hwcd-3: complete for a = -1 with d a non-square, so doubling or adding the
// identity through it is fine. o may alias p or q.
function ptAdd(o: usize, p: usize, q: usize): void {
  feSub(TA, p + FE, p);
  feSub(TH, q + FE, q);
  feMul(TA, TA, TH); // (Y1 - X1)(Y2 - X2)
  feAdd(TB, p + FE, p);
  feAdd(TH, q + FE, q);
  feMul(TB, TB, TH); // (Y1 + X1)(Y2 + X2)
  feMul(TC, p + 3 * FE, q + 3 * FE);
  feMul(TC, TC, D2); // 2d T1 T2
  feMul(TD, p + 2 * FE, q + 2 * FE);
  feAdd(TD, TD, TD); // 2 Z1 Z2
  feSub(TE, TB, TA);
  feSub(TF, TD, TC);
  feAdd(TG, TD, TC);
  feAdd(TH, TB, TA);
  feMul(o, TE, TF);
  feMul(o + FE, TG, TH);
  feMul(o + 2 * FE, TF, TG);
  feMul(o + 3 * FE, TE, TH);
}

// dbl-2008-hwcd with a = -1: four squarings and four multiplications instead of nine.
function ptDouble(o: usize, p: usize): void {
  feSq(TA, p); // X^2
  feSq(TB, p + FE); // Y^2
  feSq(TC, p + 2 * FE);
  feAdd(TC, TC, TC); // 2 Z^2
  feAdd(TE, p, p + FE);
  feSq(TE, TE);
  feSub(TE, TE, TA);
  feSub(TE, TE, TB); // 2XY
  feSub(TG, TB, TA); // a X^2 + Y^2
  feSub(TF, TG, TC);
  feAdd(TH, TA, TB);
  feNeg(TH, TH); // a X^2 - Y^2
  feMul(o, TE, TF);
  feMul(o + FE, TG, TH);
  feMul(o + 2 * FE, TF, TG);
  feMul(o + 3 * FE, TE, TH);
}

function ptIdentity(o: usize): void {
  memory.fill(o, 0, PT);
  setLimb(o + FE, 0, 1);
  setLimb(o + 2 * FE, 0, 1);
}

// RFC 8032 section 5.1.3. Rejects y >= p, x^2 with no root, and "-0" (x = 0 with the sign bit set).
function ptDecode(o: usize, bytes: usize): bool {
  const y = o + FE;
  feUnpack(y, bytes);
  fePack(EQ_B, y);
  if (memory.compare(EQ_B, bytes, 31) != 0 || load<u8>(EQ_B, 31) != (load<u8>(bytes, 31) & 0x7f)) return false;
  memory.copy(o + 2 * FE, ONE, FE);

  feSq(DEC_U, y);
  feMul(DEC_V, DEC_U, D);
  feSub(DEC_U, DEC_U, ONE); // u = y^2 - 1
  feAdd(DEC_V, DEC_V, ONE); // v = d y^2 + 1
  feSq(DEC_V3, DEC_V);
  feMul(DEC_V3, DEC_V3, DEC_V); // v^3
  // Candidate root of u/v without an inversion: x = u v^3 (u v^7)^((p-5)/8).
  feSq(o, DEC_V3);
  feMul(o, o, DEC_V);
  feMul(o, o, DEC_U);
  fePow2523(o, o);
  feMul(o, o, DEC_V3);
  feMul(o, o, DEC_U);

  feSq(DEC_CHK, o);
  feMul(DEC_CHK, DEC_CHK, DEC_V);
  if (!feEqual(DEC_CHK, DEC_U)) {
    feNeg(DEC_U, DEC_U);
    if (!feEqual(DEC_CHK, DEC_U)) return false;
    feMul(o, o, SQRTM1);
  }
  const sign = <u32>load<u8>(bytes, 31) >> 7;
  if (sign == 1 && feIsZero(o)) return false;
  if (feIsOdd(o) != sign) feNeg(o, o);
  feMul(o + 3 * FE, o, y);
  return true;
}

function ptEncode(out: usize, p: usize): void {
  feInvert(ENC_ZI, p + 2 * FE);
  feMul(ENC_X, p, ENC_ZI);
  feMul(ENC_Y, p + FE, ENC_ZI);
  fePack(out, ENC_Y);
  store<u8>(out, load<u8>(out, 31) | <u8>(feIsOdd(ENC_X) << 7), 31);
}

let ready = false;

function ensureConstants(): void {
  if (ready) return;
  memory.fill(ONE, 0, FE);
  setLimb(ONE, 0, 1);
  feUnpack(D, D_BYTES);
  feAdd(D2, D, D);
  feUnpack(SQRTM1, SQRTM1_BYTES);
  ptDecode(BASE, BASE_BYTES);
  ready = true;
}

// ---- scalars mod L ----

// S must be the canonical representative: accepting S + L would make signatures malleable.
function scalarIsCanonical(s: usize): bool {
  for (let i: i32 = 31; i >= 0; i--) {
    const a = load<u8>(s + <usize>i);
    const b = load<u8>(L_BYTES + <usize>i);
    if (a != b) return a < b;
  }
  return false;
}

// 512-bit little-endian h mod L into 32 bytes, by binary long division. That is about
// 20k simple operations once per signature, noise next to the ~4k field multiplications,
// and far easier to trust than a Barrett reduction.
function scalarReduce(out: usize, h: usize): void {
  memory.fill(out, 0, 32); // remainder as 8 little-endian u32 words, always < L < 2^253
  for (let bit: i32 = 511; bit >= 0; bit--) {
    let carry = (<u32>load<u8>(h + <usize>(bit >> 3)) >> (<u32>bit & 7)) & 1;
    for (let w: usize = 0; w < 32; w += 4) {
      const v = load<u32>(out + w);
      store<u32>(out + w, (v << 1) | carry);
      carry = v >> 31;
    }
    if (!scalarIsCanonical(out)) {
      let borrow: u64 = 0;
      for (let w: usize = 0; w < 32; w += 4) {
        const v = <u64>load<u32>(out + w) - <u64>load<u32>(L_BYTES + w) - borrow;
        store<u32>(out + w, <u32>v);
        borrow = (v >> 63) & 1;
      }
    }
  }
}

// @ts-ignore: decorator
@inline function scalarBit(s: usize, i: i32): u32 {
  return (<u32>load<u8>(s + <usize>(i >> 3)) >> (<u32>i & 7)) & 1;
}

// Checks [S]B == R + [k]A as R == [S]B + [k](-A), where h = SHA-512(R || A || M) and k = h mod L.
function verifyWithDigest(publicKey: usize, signature: usize, digest: usize): bool {
  const s = signature + 32;
  if (!scalarIsCanonical(s)) return false;
  ensureConstants();
  if (!ptDecode(NEG_A, publicKey)) return false;
  feNeg(NEG_A, NEG_A);
  feNeg(NEG_A + 3 * FE, NEG_A + 3 * FE);
  ptAdd(BASE_NEG_A, BASE, NEG_A);
  scalarReduce(K_SCALAR, digest);

  // Shamir's trick: one shared run of doublings for both scalars. Both are below L < 2^253,
  // so bit 252 is the highest that can be set.
  ptIdentity(ACC);
  for (let i: i32 = 252; i >= 0; i--) {
    ptDouble(ACC, ACC);
    const bits = (scalarBit(s, i) << 1) | scalarBit(K_SCALAR, i);
    if (bits == 3) ptAdd(ACC, ACC, BASE_NEG_A);
    else if (bits == 2) ptAdd(ACC, ACC, BASE);
    else if (bits == 1) ptAdd(ACC, ACC, NEG_A);
  }
  // Comparing encodings also rejects a non-canonical R, which no computed point encodes to.
  ptEncode(ENC_OUT, ACC);
  return memory.compare(ENC_OUT, signature, 32) == 0;
}

/**
 * Verifies one signature over a message supplied in pieces of any size, so a multi-megabyte
 * payload can be checked while it streams through a 64 KiB buffer. The key and signature are
 * copied in, so the caller may reuse the memory they came from. Call reset() to check another
 * signature with the same instance instead of allocating a new one.
 */
@final
export class Ed25519Verifier {
  private readonly hasher: Sha512;
  // 32-byte public key A, then the 64-byte signature R || S.
  private readonly keys: usize;
  private done: bool = false;
  private result: bool = false;

  constructor(publicKeyPtr: usize, signaturePtr: usize) {
    this.hasher = new Sha512();
    this.keys = heap.alloc(96);
    this.reset(publicKeyPtr, signaturePtr);
  }

  reset(publicKeyPtr: usize, signaturePtr: usize): void {
    memory.copy(this.keys, publicKeyPtr, 32);
    memory.copy(this.keys + 32, signaturePtr, 64);
    this.done = false;
    this.result = false;
    this.hasher.init();
    this.hasher.update(this.keys + 32, 32); // R
    this.hasher.update(this.keys, 32); // A
  }

  /** Feeds the next `len` message bytes. Ignored once verify() has been called, until reset(). */
  update(ptr: usize, len: u32): void {
    if (!this.done) this.hasher.update(ptr, len);
  }

  /** Finishes the message. Later calls return the same answer. */
  verify(): bool {
    if (!this.done) {
      this.hasher.final(HASH);
      this.result = verifyWithDigest(this.keys, this.keys + 32, HASH);
      this.done = true;
    }
    return this.result;
  }
}

let shared: Ed25519Verifier | null = null;

/** One-shot verification of the 64-byte signature at `signature` over `len` bytes at `message`. */
export function ed25519Verify(publicKey: usize, signature: usize, message: usize, len: u32): bool {
  let verifier = shared;
  if (verifier === null) {
    verifier = new Ed25519Verifier(publicKey, signature);
    shared = verifier;
  } else {
    verifier.reset(publicKey, signature);
  }
  verifier.update(message, len);
  return verifier.verify();
}

/**
 * Whether 32 bytes at `publicKey` decode to a curve point under RFC 8032's strict rules, so a
 * contract can refuse a bad key when it is registered rather than at the first verification.
 */
export function ed25519PublicKeyIsValid(publicKey: usize): bool {
  ensureConstants();
  return ptDecode(NEG_A, publicKey);
}
