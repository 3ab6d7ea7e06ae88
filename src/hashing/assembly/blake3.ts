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
