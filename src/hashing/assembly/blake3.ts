// BLAKE3-256 (plain hash mode) for the host, compiled from this file to wasm by
// the build and imported statically: workerd forbids compiling wasm at run
// time, and the pure-JS implementation hashes at ~40 MiB/s, far below the
// DO's SQLite write rate that state uploads are measured against.
// One wasm instance holds one hasher; JS copies input into `inputPtr()`.

const CHUNK_LEN: u32 = 1024;
const BLOCK_LEN: u32 = 64;
const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const PARENT: u32 = 4;
const ROOT: u32 = 8;
// 2^54 chunks of 1 KiB exceeds any input; the reference stack depth.
const MAX_DEPTH: u32 = 54;
// Largest slice JS hands over per update call: one storage frame.
const INPUT_CAPACITY: u32 = 65536;

const IV0: u32 = 0x6a09e667;
const IV1: u32 = 0xbb67ae85;
const IV2: u32 = 0x3c6ef372;
const IV3: u32 = 0xa54ff53a;
const IV4: u32 = 0x510e527f;
const IV5: u32 = 0x9b05688c;
const IV6: u32 = 0x1f83d9ab;
const IV7: u32 = 0x5be0cd19;

const STATE: usize = memory.data(64, 16); // 16 words of the compression state
const MSG: usize = memory.data(64, 16); // message words, permuted per round
const TMP: usize = memory.data(64, 16); // permutation scratch
const CV: usize = memory.data(32, 16); // chaining value of the current chunk
const BLOCK: usize = memory.data(64, 16); // partial block of the current chunk
const PARENT_BLOCK: usize = memory.data(64, 16);
const OUT_CV: usize = memory.data(32, 16); // result of the last compression
const STACK: usize = memory.data(MAX_DEPTH * 32, 16);
const OUT: usize = memory.data(32, 16);
const INPUT: usize = memory.data(INPUT_CAPACITY, 16);

let chunkCounter: u64 = 0;
let blockLen: u32 = 0;
let blocksCompressed: u32 = 0;
let stackLen: u32 = 0;

@inline function sw(i: usize): u32 {
  return load<u32>(STATE + (i << 2));
}
@inline function ssw(i: usize, v: u32): void {
  store<u32>(STATE + (i << 2), v);
}
@inline function mw(i: usize): u32 {
  return load<u32>(MSG + (i << 2));
}

@inline function g(a: usize, b: usize, c: usize, d: usize, x: u32, y: u32): void {
  let va = sw(a);
  let vb = sw(b);
  let vc = sw(c);
  let vd = sw(d);
  va = va + vb + x;
  vd = rotr<u32>(vd ^ va, 16);
  vc = vc + vd;
  vb = rotr<u32>(vb ^ vc, 12);
  va = va + vb + y;
  vd = rotr<u32>(vd ^ va, 8);
  vc = vc + vd;
  vb = rotr<u32>(vb ^ vc, 7);
  ssw(a, va);
  ssw(b, vb);
  ssw(c, vc);
  ssw(d, vd);
}

@inline function round(): void {
  g(0, 4, 8, 12, mw(0), mw(1));
  g(1, 5, 9, 13, mw(2), mw(3));
  g(2, 6, 10, 14, mw(4), mw(5));
  g(3, 7, 11, 15, mw(6), mw(7));
  g(0, 5, 10, 15, mw(8), mw(9));
  g(1, 6, 11, 12, mw(10), mw(11));
  g(2, 7, 8, 13, mw(12), mw(13));
  g(3, 4, 9, 14, mw(14), mw(15));
}

// MSG_PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]
@inline function permute(): void {
  memory.copy(TMP, MSG, 64);
  store<u32>(MSG, load<u32>(TMP + 8));
  store<u32>(MSG + 4, load<u32>(TMP + 24));
  store<u32>(MSG + 8, load<u32>(TMP + 12));
  store<u32>(MSG + 12, load<u32>(TMP + 40));
  store<u32>(MSG + 16, load<u32>(TMP + 28));
  store<u32>(MSG + 20, load<u32>(TMP + 0));
  store<u32>(MSG + 24, load<u32>(TMP + 16));
  store<u32>(MSG + 28, load<u32>(TMP + 52));
  store<u32>(MSG + 32, load<u32>(TMP + 4));
  store<u32>(MSG + 36, load<u32>(TMP + 44));
  store<u32>(MSG + 40, load<u32>(TMP + 48));
  store<u32>(MSG + 44, load<u32>(TMP + 20));
  store<u32>(MSG + 48, load<u32>(TMP + 36));
  store<u32>(MSG + 52, load<u32>(TMP + 56));
  store<u32>(MSG + 56, load<u32>(TMP + 60));
  store<u32>(MSG + 60, load<u32>(TMP + 32));
}

// Compresses the 64-byte block at `block` (little-endian words; wasm is LE)
// under the chaining value at `cv`, leaving the first 8 output words at OUT_CV.
function compress(cv: usize, block: usize, counter: u64, len: u32, flags: u32): void {
  memory.copy(STATE, cv, 32);
  ssw(8, IV0);
  ssw(9, IV1);
  ssw(10, IV2);
  ssw(11, IV3);
  ssw(12, <u32>counter);
  ssw(13, <u32>(counter >> 32));
  ssw(14, len);
  ssw(15, flags);
  memory.copy(MSG, block, 64);
  round();
  permute();
  round();
  permute();
  round();
  permute();
  round();
  permute();
  round();
  permute();
  round();
  permute();
  round();
  for (let i: usize = 0; i < 8; i++) {
    store<u32>(OUT_CV + (i << 2), sw(i) ^ sw(i + 8));
  }
}

function resetChunk(counter: u64): void {
  store<u32>(CV, IV0);
  store<u32>(CV + 4, IV1);
  store<u32>(CV + 8, IV2);
  store<u32>(CV + 12, IV3);
  store<u32>(CV + 16, IV4);
  store<u32>(CV + 20, IV5);
  store<u32>(CV + 24, IV6);
  store<u32>(CV + 28, IV7);
  chunkCounter = counter;
  blockLen = 0;
  blocksCompressed = 0;
  memory.fill(BLOCK, 0, 64);
}

@inline function startFlag(): u32 {
  return blocksCompressed == 0 ? CHUNK_START : 0;
}

@inline function chunkLen(): u32 {
  return blocksCompressed * BLOCK_LEN + blockLen;
}

function compressIntoCv(block: usize): void {
  compress(CV, block, chunkCounter, BLOCK_LEN, startFlag());
  memory.copy(CV, OUT_CV, 32);
  blocksCompressed++;
}

// Absorbs bytes that all belong to the current chunk.
function chunkUpdate(ptr: usize, len: u32): void {
  while (len > 0) {
    if (blockLen == BLOCK_LEN) {
      compressIntoCv(BLOCK);
      blockLen = 0;
      memory.fill(BLOCK, 0, 64);
    }
    // Full blocks straight from the input while more bytes follow them.
    while (blockLen == 0 && len > BLOCK_LEN) {
      compressIntoCv(ptr);
      ptr += BLOCK_LEN;
      len -= BLOCK_LEN;
    }
    const take = min(BLOCK_LEN - blockLen, len);
    memory.copy(BLOCK + blockLen, ptr, take);
    blockLen += take;
    ptr += take;
    len -= take;
  }
}

function parentCv(left: usize, right: usize): void {
  memory.copy(PARENT_BLOCK, left, 32);
  memory.copy(PARENT_BLOCK + 32, right, 32);
  compress(IV_PTR, PARENT_BLOCK, 0, BLOCK_LEN, PARENT);
}

const IV_PTR: usize = memory.data<u32>([IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7]);

function pushChunkCv(totalChunks: u64): void {
  // OUT_CV holds the finished chunk's chaining value.
  while ((totalChunks & 1) == 0) {
    stackLen--;
    parentCv(STACK + (<usize>stackLen << 5), OUT_CV);
    totalChunks >>= 1;
  }
  memory.copy(STACK + (<usize>stackLen << 5), OUT_CV, 32);
  stackLen++;
}


// ---- 4-way SIMD: four whole chunks at once, one per i32x4 lane ----

const S4: usize = memory.data(256, 16); // 16 state vectors
const M4: usize = memory.data(256, 16); // 16 message vectors
const T4: usize = memory.data(256, 16); // permutation scratch
const H4: usize = memory.data(128, 16); // 8 chaining-value vectors
const PERMUTATION: usize = memory.data<u8>([2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]);

@inline function s4(i: usize): v128 {
  return v128.load(S4 + (i << 4));
}
@inline function ss4(i: usize, v: v128): void {
  v128.store(S4 + (i << 4), v);
}
@inline function m4(i: usize): v128 {
  return v128.load(M4 + (i << 4));
}
@inline function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}

// Rotations by whole bytes are single shuffles.
@inline function rotr16x4(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
@inline function rotr8x4(x: v128): v128 {
  return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
}

@inline function g4(a: usize, b: usize, c: usize, d: usize, x: v128, y: v128): void {
  let va = s4(a);
  let vb = s4(b);
  let vc = s4(c);
  let vd = s4(d);
  va = i32x4.add(i32x4.add(va, vb), x);
  vd = rotr16x4(v128.xor(vd, va));
  vc = i32x4.add(vc, vd);
  vb = rotr4(v128.xor(vb, vc), 12);
  va = i32x4.add(i32x4.add(va, vb), y);
  vd = rotr8x4(v128.xor(vd, va));
  vc = i32x4.add(vc, vd);
  vb = rotr4(v128.xor(vb, vc), 7);
  ss4(a, va);
  ss4(b, vb);
  ss4(c, vc);
  ss4(d, vd);
}

@inline function round4(): void {
  g4(0, 4, 8, 12, m4(0), m4(1));
  g4(1, 5, 9, 13, m4(2), m4(3));
  g4(2, 6, 10, 14, m4(4), m4(5));
  g4(3, 7, 11, 15, m4(6), m4(7));
  g4(0, 5, 10, 15, m4(8), m4(9));
  g4(1, 6, 11, 12, m4(10), m4(11));
  g4(2, 7, 8, 13, m4(12), m4(13));
  g4(3, 4, 9, 14, m4(14), m4(15));
}

@inline function permute4(): void {
  memory.copy(T4, M4, 256);
  for (let i: usize = 0; i < 16; i++) {
    v128.store(M4 + (i << 4), v128.load(T4 + (<usize>load<u8>(PERMUTATION + i) << 4)));
  }
}

// Hashes the four whole chunks at `ptr` (numbered counter..counter+3) and
// pushes their chaining values onto the tree as the scalar path would.
function hashFourChunks(ptr: usize): void {
  for (let i: usize = 0; i < 8; i++) v128.store(H4 + (i << 4), i32x4.splat(load<u32>(IV_PTR + (i << 2))));
  const counters = i32x4(
    <i32>chunkCounter,
    <i32>(chunkCounter + 1),
    <i32>(chunkCounter + 2),
    <i32>(chunkCounter + 3),
  );
  const highs = i32x4(
    <i32>(chunkCounter >> 32),
    <i32>((chunkCounter + 1) >> 32),
    <i32>((chunkCounter + 2) >> 32),
    <i32>((chunkCounter + 3) >> 32),
  );
  for (let block: u32 = 0; block < 16; block++) {
    const base = ptr + (<usize>block << 6);
    for (let w: usize = 0; w < 16; w++) {
      const at = base + (w << 2);
      let v = i32x4.splat(load<u32>(at));
      v = i32x4.replace_lane(v, 1, load<u32>(at + CHUNK_LEN));
      v = i32x4.replace_lane(v, 2, load<u32>(at + 2 * CHUNK_LEN));
      v = i32x4.replace_lane(v, 3, load<u32>(at + 3 * CHUNK_LEN));
      v128.store(M4 + (w << 4), v);
    }
    const flags: u32 = (block == 0 ? CHUNK_START : 0) | (block == 15 ? CHUNK_END : 0);
    memory.copy(S4, H4, 128);
    ss4(8, i32x4.splat(IV0));
    ss4(9, i32x4.splat(IV1));
    ss4(10, i32x4.splat(IV2));
    ss4(11, i32x4.splat(IV3));
    ss4(12, counters);
    ss4(13, highs);
    ss4(14, i32x4.splat(BLOCK_LEN));
    ss4(15, i32x4.splat(flags));
    round4();
    permute4();
    round4();
    permute4();
    round4();
    permute4();
    round4();
    permute4();
    round4();
    permute4();
    round4();
    permute4();
    round4();
    for (let i: usize = 0; i < 8; i++) v128.store(H4 + (i << 4), v128.xor(s4(i), s4(i + 8)));
  }
  for (let lane: usize = 0; lane < 4; lane++) {
    for (let i: usize = 0; i < 8; i++) {
      const v = v128.load(H4 + (i << 4));
      const word: u32 =
        lane == 0
          ? i32x4.extract_lane(v, 0)
          : lane == 1
            ? i32x4.extract_lane(v, 1)
            : lane == 2
              ? i32x4.extract_lane(v, 2)
              : i32x4.extract_lane(v, 3);
      store<u32>(OUT_CV + (i << 2), word);
    }
    pushChunkCv(chunkCounter + 1);
    resetChunk(chunkCounter + 1);
  }
}

export function inputPtr(): usize {
  return INPUT;
}

export function inputCapacity(): u32 {
  return INPUT_CAPACITY;
}

export function outputPtr(): usize {
  return OUT;
}

export function reset(): void {
  stackLen = 0;
  resetChunk(0);
}

// Absorbs `len` bytes (<= INPUT_CAPACITY) previously copied to inputPtr().
export function update(len: u32): void {
  let ptr = INPUT;
  while (len > 0) {
    if (chunkLen() == CHUNK_LEN) {
      compress(CV, BLOCK, chunkCounter, blockLen, startFlag() | CHUNK_END);
      const total = chunkCounter + 1;
      pushChunkCv(total);
      resetChunk(total);
    }
    // Four whole chunks at a time while more input follows them (the last
    // chunk must stay open: it may be the root).
    while (chunkLen() == 0 && len > 4 * CHUNK_LEN) {
      hashFourChunks(ptr);
      ptr += 4 * CHUNK_LEN;
      len -= 4 * CHUNK_LEN;
    }
    const take = min(CHUNK_LEN - chunkLen(), len);
    chunkUpdate(ptr, take);
    ptr += take;
    len -= take;
  }
}

// Writes the 32-byte digest to outputPtr(). The hasher must be reset before reuse.
export function finalize(): void {
  let flags = startFlag() | CHUNK_END;
  if (stackLen == 0) {
    compress(CV, BLOCK, chunkCounter, blockLen, flags | ROOT);
    memory.copy(OUT, OUT_CV, 32);
    return;
  }
  compress(CV, BLOCK, chunkCounter, blockLen, flags);
  // Fold the stack from the top; the last parent is the root.
  while (stackLen > 0) {
    stackLen--;
    memory.copy(PARENT_BLOCK, STACK + (<usize>stackLen << 5), 32);
    memory.copy(PARENT_BLOCK + 32, OUT_CV, 32);
    compress(IV_PTR, PARENT_BLOCK, 0, BLOCK_LEN, PARENT | (stackLen == 0 ? ROOT : 0));
  }
  memory.copy(OUT, OUT_CV, 32);
}
