// Streaming SHA-512 (FIPS 180-4) over raw linear memory.
//
// Contracts receive their input as 64 KiB frames, so the hasher takes (pointer, length)
// pieces of any size and never needs the whole message in memory. Nothing is allocated
// per call: the round constants and the message schedule live in static data, and each
// hasher owns one 128-byte block buffer allocated when it is constructed. With
// `--runtime stub` that is a bump allocation, so construct hashers once and reuse them.

// Round constants: the first 64 fractional bits of the cube roots of the first 80 primes.
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
], 16);

// Message schedule, shared by every hasher: compression never re-enters, so one copy is
// enough and keeps the 640 bytes out of each instance.
const W: usize = memory.data(80 * 8, 16);

export const SHA512_BLOCK_BYTES: u32 = 128;
export const SHA512_DIGEST_BYTES: u32 = 64;

@final
export class Sha512 {
  private h0: u64 = 0;
  private h1: u64 = 0;
  private h2: u64 = 0;
  private h3: u64 = 0;
  private h4: u64 = 0;
  private h5: u64 = 0;
  private h6: u64 = 0;
  private h7: u64 = 0;
  // Bytes absorbed so far. A wasm32 guest cannot address 2^61 bytes, so the high half of
  // the 128-bit bit count in the padding is always derived from this alone.
  private total: u64 = 0;
  private buffered: u32 = 0;
  private readonly buf: usize;

  constructor() {
    this.buf = heap.alloc(SHA512_BLOCK_BYTES);
    this.init();
  }

  /** Starts a new message, discarding anything absorbed since the last final(). */
  init(): void {
    // Initial hash values: the first 64 fractional bits of the square roots of the first 8 primes.
    this.h0 = 0x6a09e667f3bcc908;
    this.h1 = 0xbb67ae8584caa73b;
    this.h2 = 0x3c6ef372fe94f82b;
    this.h3 = 0xa54ff53a5f1d36f1;
    this.h4 = 0x510e527fade682d1;
    this.h5 = 0x9b05688c2b3e6c1f;
    this.h6 = 0x1f83d9abfb41bd6b;
    this.h7 = 0x5be0cd19137e2179;
    this.total = 0;
    this.buffered = 0;
  }

  /** Absorbs `len` bytes at `ptr`. The bytes are consumed before returning, so the caller may reuse its buffer. */
  update(ptr: usize, len: u32): void {
    this.total += <u64>len;
    let remaining = len;
    if (this.buffered > 0) {
      const take = min(SHA512_BLOCK_BYTES - this.buffered, remaining);
      memory.copy(this.buf + this.buffered, ptr, take);
      this.buffered += take;
      ptr += take;
      remaining -= take;
      if (this.buffered < SHA512_BLOCK_BYTES) return;
      this.compress(this.buf);
      this.buffered = 0;
    }
    // Whole blocks are compressed straight from the caller's memory: no copy on the bulk path.
    while (remaining >= SHA512_BLOCK_BYTES) {
      this.compress(ptr);
      ptr += SHA512_BLOCK_BYTES;
      remaining -= SHA512_BLOCK_BYTES;
    }
    if (remaining > 0) {
      memory.copy(this.buf, ptr, remaining);
      this.buffered = remaining;
    }
  }

  /** Writes the 64-byte digest to `outPtr`, then re-initialises so the hasher can be reused at once. */
  final(outPtr: usize): void {
    const buf = this.buf;
    let used = this.buffered;
    store<u8>(buf + used, 0x80);
    used++;
    // The 16-byte length must fit after the 0x80 marker; if it does not, pad out this block first.
    if (used > SHA512_BLOCK_BYTES - 16) {
      memory.fill(buf + used, 0, SHA512_BLOCK_BYTES - used);
      this.compress(buf);
      used = 0;
    }
    memory.fill(buf + used, 0, SHA512_BLOCK_BYTES - 16 - used);
    store<u64>(buf + 112, bswap<u64>(this.total >> 61));
    store<u64>(buf + 120, bswap<u64>(this.total << 3));
    this.compress(buf);

    store<u64>(outPtr, bswap<u64>(this.h0));
    store<u64>(outPtr + 8, bswap<u64>(this.h1));
    store<u64>(outPtr + 16, bswap<u64>(this.h2));
    store<u64>(outPtr + 24, bswap<u64>(this.h3));
    store<u64>(outPtr + 32, bswap<u64>(this.h4));
    store<u64>(outPtr + 40, bswap<u64>(this.h5));
    store<u64>(outPtr + 48, bswap<u64>(this.h6));
    store<u64>(outPtr + 56, bswap<u64>(this.h7));
    this.init();
  }

  private compress(block: usize): void {
    // The block may sit at any alignment in caller memory; wasm loads tolerate that.
    for (let i: usize = 0; i < 16; i++) {
      store<u64>(W + (i << 3), bswap<u64>(load<u64>(block + (i << 3))));
    }
    for (let i: usize = 16; i < 80; i++) {
      const w15 = load<u64>(W + ((i - 15) << 3));
      const w2 = load<u64>(W + ((i - 2) << 3));
      const s0 = rotr<u64>(w15, 1) ^ rotr<u64>(w15, 8) ^ (w15 >> 7);
      const s1 = rotr<u64>(w2, 19) ^ rotr<u64>(w2, 61) ^ (w2 >> 6);
      store<u64>(W + (i << 3), load<u64>(W + ((i - 16) << 3)) + s0 + load<u64>(W + ((i - 7) << 3)) + s1);
    }

    let a = this.h0;
    let b = this.h1;
    let c = this.h2;
    let d = this.h3;
    let e = this.h4;
    let f = this.h5;
    let g = this.h6;
    let h = this.h7;
    for (let i: usize = 0; i < 80; i++) {
      const s1 = rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41);
      const ch = (e & f) ^ (~e & g);
      const t1 = h + s1 + ch + load<u64>(K + (i << 3)) + load<u64>(W + (i << 3));
      const s0 = rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + s0 + maj;
    }
    this.h0 += a;
    this.h1 += b;
    this.h2 += c;
    this.h3 += d;
    this.h4 += e;
    this.h5 += f;
    this.h6 += g;
    this.h7 += h;
  }
}

let oneShot: Sha512 | null = null;

/** One-shot SHA-512 of `len` bytes at `ptr` into the 64 bytes at `outPtr`. Reuses one lazily created hasher. */
export function sha512(ptr: usize, len: u32, outPtr: usize): void {
  let hasher = oneShot;
  if (hasher === null) {
    hasher = new Sha512();
    oneShot = hasher;
  }
  hasher.init();
  hasher.update(ptr, len);
  hasher.final(outPtr);
}
