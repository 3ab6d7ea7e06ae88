// A persistent hash map in linear storage, driven through the generic `run`
// entry: open addressing with linear probing over a fixed 1 GiB space, one
// slot read-modify-write per command. See ../README.md for the command
// protocol and the storage layout.
import { InputStream, Output, Storage, StorageStatus, runError, runOkOutput } from "../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

// ---- layout ----

const FRAME_BYTES: u64 = 64 * 1024;
const SPACE_FRAMES: u32 = 16384; // 1 GiB
/** Frame 0 holds the header alone; slots start at frame 1. */
const FIRST_SLOT_FRAME: u32 = 1;

const MAX_KEY: u32 = 64;
const MAX_VALUE: u32 = 1024;
// Slot: [flag u8][key len u8][value len u16 LE][key: 64 bytes][value: 1024 bytes], zero-padded.
const SLOT_FLAG: usize = 0;
const SLOT_KEY_LEN: usize = 1;
const SLOT_VALUE_LEN: usize = 2;
const SLOT_KEY: usize = 4;
const SLOT_VALUE: usize = SLOT_KEY + <usize>MAX_KEY; // 68
const SLOT_BYTES: u32 = <u32>SLOT_VALUE + MAX_VALUE; // 1092
/** Slots never straddle a frame: 60 per frame (65,520 bytes), the last 16 bytes unused. */
const SLOTS_PER_FRAME: u32 = <u32>(FRAME_BYTES / <u64>SLOT_BYTES);
const MAX_SLOTS: u32 = SLOTS_PER_FRAME * (SPACE_FRAMES - FIRST_SLOT_FRAME); // 982,980

const EMPTY: u8 = 0; // what unwritten storage reads as
const LIVE: u8 = 1;
const TOMBSTONE: u8 = 2;

// Header at offset 0: magic, version, slot bytes, slot count, live count, tombstone count (u32 LE each).
const MAGIC: u32 = 0x50414d48; // "HMAP"
const VERSION: u32 = 1;
const H_MAGIC: usize = 0;
const H_VERSION: usize = 4;
const H_SLOT_BYTES: usize = 8;
const H_SLOT_COUNT: usize = 12;
const H_LIVE: usize = 16;
const H_TOMBSTONES: usize = 20;
const HEADER_BYTES: u32 = 24;

// ---- protocol ----

const OP_PUT: u8 = 1;
const OP_GET: u8 = 2;
const OP_DELETE: u8 = 3;

// ---- static buffers (nothing is allocated per command but the response) ----

const HEADER: usize = memory.data(<i32>HEADER_BYTES, 8);
/** The slot being written (put assembles it here: the value is read straight into it). */
const SLOT: usize = memory.data(<i32>SLOT_BYTES, 8);
/** The head of the slot being probed: flag, lengths and key. */
const PROBE: usize = memory.data(<i32>SLOT_VALUE, 8);
const KEY: usize = memory.data(<i32>MAX_KEY, 8);
const U16: usize = memory.data(2, 2);

// ---- per-call state ----

let slotCount: u32 = 0;
let live: u32 = 0;
let tombstones: u32 = 0;
let headerDirty = false;
/** Set by the first failure; run() turns it into the error result. */
let failure: string | null = null;

function fail(message: string): bool {
  if (failure === null) failure = message;
  return false;
}

function slotOffset(slot: u32): u64 {
  return <u64>(FIRST_SLOT_FRAME + slot / SLOTS_PER_FRAME) * FRAME_BYTES + <u64>(slot % SLOTS_PER_FRAME) * <u64>SLOT_BYTES;
}

function storageRead(ptr: usize, offset: u64, len: u32): bool {
  const status = Storage.read(ptr, offset, len);
  return status == StorageStatus.OK || fail("storage_read at " + offset.toString() + " failed: " + Storage.statusName(status));
}

function storageWrite(offset: u64, ptr: usize, len: u32): bool {
  const status = Storage.write(offset, ptr, len);
  return status == StorageStatus.OK || fail("storage_write at " + offset.toString() + " failed: " + Storage.statusName(status));
}

/** Slots a table of `n` may use (live + tombstones) so that at least 1/8 of them stay empty. */
function maxUsed(n: u32): u32 {
  return n - max<u32>(1, n >> 3);
}

function loadHeader(): bool {
  if (!storageRead(HEADER, 0, HEADER_BYTES)) return false;
  const magic = load<u32>(HEADER, H_MAGIC);
  if (magic == 0) {
    for (let i: u32 = 0; i < HEADER_BYTES; i++) {
      if (load<u8>(HEADER + i) != 0) return fail("corrupt header: no magic but not empty");
    }
    // A fresh space: the header is written with the first change.
    slotCount = MAX_SLOTS;
    live = 0;
    tombstones = 0;
    return true;
  }
  if (magic != MAGIC) return fail("storage does not hold a hash map (magic 0x" + magic.toString(16) + ")");
  if (load<u32>(HEADER, H_VERSION) != VERSION || load<u32>(HEADER, H_SLOT_BYTES) != SLOT_BYTES) {
    return fail("unsupported hash map layout (version " + load<u32>(HEADER, H_VERSION).toString() + ")");
  }
  slotCount = load<u32>(HEADER, H_SLOT_COUNT);
  live = load<u32>(HEADER, H_LIVE);
  tombstones = load<u32>(HEADER, H_TOMBSTONES);
  if (slotCount == 0 || slotCount > MAX_SLOTS) return fail("corrupt header: slot count " + slotCount.toString());
  if (<u64>live + <u64>tombstones > <u64>slotCount) return fail("corrupt header: counts exceed the slot count");
  return true;
}

function storeHeader(): bool {
  store<u32>(HEADER, MAGIC, H_MAGIC);
  store<u32>(HEADER, VERSION, H_VERSION);
  store<u32>(HEADER, SLOT_BYTES, H_SLOT_BYTES);
  store<u32>(HEADER, slotCount, H_SLOT_COUNT);
  store<u32>(HEADER, live, H_LIVE);
  store<u32>(HEADER, tombstones, H_TOMBSTONES);
  return storageWrite(0, HEADER, HEADER_BYTES);
}

/** FNV-1a 64 finished with MurmurHash3's fmix64, so nearby keys spread over the table. */
function hashKey(ptr: usize, len: u32): u64 {
  let h: u64 = 0xcbf29ce484222325;
  for (let i: u32 = 0; i < len; i++) {
    h ^= <u64>load<u8>(ptr + i);
    h *= 0x100000001b3;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >> 33;
  return h;
}

// ---- probing ----

/** After find(): the slot holding the key (its head in PROBE), or -1. */
let foundSlot: i64 = -1;
/** After a miss: where the key would go (first tombstone on the path, else the empty slot ending it), or -1. */
let insertSlot: i64 = -1;
let insertIntoEmpty = false;

function readFlag(slot: u32): i32 {
  if (!storageRead(PROBE, slotOffset(slot), 1)) return -1;
  return load<u8>(PROBE, SLOT_FLAG);
}

/** Walks the probe sequence of the key in KEY; false only on failure. */
function find(keyLen: u32): bool {
  const n = slotCount;
  let slot = <u32>(hashKey(KEY, keyLen) % <u64>n);
  let firstTombstone: i64 = -1;
  foundSlot = -1;
  insertSlot = -1;
  insertIntoEmpty = false;
  for (let probes: u32 = 0; probes < n; probes++) {
    if (!storageRead(PROBE, slotOffset(slot), <u32>SLOT_VALUE)) return false;
    const flag = load<u8>(PROBE, SLOT_FLAG);
    if (flag == EMPTY) {
      insertIntoEmpty = firstTombstone < 0;
      insertSlot = insertIntoEmpty ? <i64>slot : firstTombstone;
      return true;
    }
    if (flag == TOMBSTONE) {
      if (firstTombstone < 0) firstTombstone = slot;
    } else if (flag == LIVE) {
      if (<u32>load<u8>(PROBE, SLOT_KEY_LEN) == keyLen && memory.compare(PROBE + SLOT_KEY, KEY, keyLen) == 0) {
        foundSlot = slot;
        return true;
      }
    } else {
      return fail("corrupt slot " + slot.toString() + ": flag " + flag.toString());
    }
    slot = slot + 1 == n ? 0 : slot + 1;
  }
  // No empty slot anywhere: only a tombstone can take a new key.
  insertSlot = firstTombstone;
  return true;
}

// ---- commands ----

/** 0 inserted, 1 replaced, -1 failed. The value is already at SLOT + SLOT_VALUE. */
function put(keyLen: u32, valueLen: u32): i32 {
  if (!find(keyLen)) return -1;
  let slot: u32;
  let replaced: i32;
  if (foundSlot >= 0) {
    slot = <u32>foundSlot;
    replaced = 1;
  } else {
    if (insertSlot < 0 || (insertIntoEmpty && live + tombstones + 1 > maxUsed(slotCount))) {
      fail("map full: " + live.toString() + " live entries and " + tombstones.toString() + " tombstones in " + slotCount.toString() + " slots");
      return -1;
    }
    slot = <u32>insertSlot;
    if (!insertIntoEmpty) tombstones--;
    live++;
    headerDirty = true;
    replaced = 0;
  }
  store<u8>(SLOT, LIVE, SLOT_FLAG);
  store<u8>(SLOT, <u8>keyLen, SLOT_KEY_LEN);
  store<u16>(SLOT, <u16>valueLen, SLOT_VALUE_LEN);
  memory.copy(SLOT + SLOT_KEY, KEY, keyLen);
  memory.fill(SLOT + SLOT_KEY + keyLen, 0, MAX_KEY - keyLen);
  memory.fill(SLOT + SLOT_VALUE + valueLen, 0, MAX_VALUE - valueLen);
  return storageWrite(slotOffset(slot), SLOT, SLOT_BYTES) ? replaced : -1;
}

/** Appends [found u8][value len u16 LE][value]; false on failure. */
function get(out: Output, keyLen: u32): bool {
  if (!find(keyLen)) return false;
  if (foundSlot < 0) {
    out.u8(0);
    store<u16>(out.reserve(2), 0);
    return true;
  }
  const valueLen = <u32>load<u16>(PROBE, SLOT_VALUE_LEN);
  if (valueLen > MAX_VALUE) return fail("corrupt slot " + foundSlot.toString() + ": value of " + valueLen.toString() + " bytes");
  const at = out.reserve(3 + valueLen);
  store<u8>(at, 1);
  store<u16>(at, <u16>valueLen, 1);
  return storageRead(at + 3, slotOffset(<u32>foundSlot) + <u64>SLOT_VALUE, valueLen);
}

/** Rewrites a slot as empty or tombstone, all other bytes zero. */
function clearSlot(slot: u32, flag: u8): bool {
  memory.fill(SLOT, 0, SLOT_BYTES);
  store<u8>(SLOT, flag, SLOT_FLAG);
  return storageWrite(slotOffset(slot), SLOT, SLOT_BYTES);
}

/** 1 deleted, 0 absent, -1 failed. */
function remove(keyLen: u32): i32 {
  if (!find(keyLen)) return -1;
  if (foundSlot < 0) return 0;
  const n = slotCount;
  let slot = <u32>foundSlot;
  live--;
  headerDirty = true;
  const next = readFlag(slot + 1 == n ? 0 : slot + 1);
  if (next < 0) return -1;
  if (next != EMPTY) {
    // Later keys of this cluster may have probed past this slot: keep the chain.
    tombstones++;
    return clearSlot(slot, TOMBSTONE) ? 1 : -1;
  }
  // Nothing probes past an empty slot, so this one, and any tombstones just before it, can be empty again.
  if (!clearSlot(slot, EMPTY)) return -1;
  for (let steps: u32 = 1; steps < n; steps++) {
    slot = slot == 0 ? n - 1 : slot - 1;
    const flag = readFlag(slot);
    if (flag < 0) return -1;
    if (flag != TOMBSTONE) break;
    tombstones--;
    if (!clearSlot(slot, EMPTY)) return -1;
  }
  return 1;
}

function commandError(index: u32, message: string): i64 {
  return runError("command " + index.toString() + ": " + message);
}

/**
 * The request body is a sequence of commands, the response one result per
 * command, in order. Any error fails the whole batch: nothing it wrote commits.
 */
export function run(input: i64): i64 {
  slotCount = 0;
  live = 0;
  tombstones = 0;
  headerDirty = false;
  failure = null;

  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  if (!loadHeader()) return runError(failure!);
  const out = new Output(256);
  let index: u32 = 0;
  while (stream.position < stream.total) {
    const op = stream.readU8();
    if (!stream.ok) break;
    if (op != OP_PUT && op != OP_GET && op != OP_DELETE) return commandError(index, "unknown op " + op.toString());
    const keyLen = <u32>stream.readU8();
    if (!stream.ok) break;
    if (keyLen > MAX_KEY) return commandError(index, "key of " + keyLen.toString() + " bytes (at most 64)");
    if (!stream.readExact(KEY, keyLen)) break;
    if (op == OP_PUT) {
      if (!stream.readExact(U16, 2)) break;
      const valueLen = <u32>load<u16>(U16);
      if (valueLen > MAX_VALUE) return commandError(index, "value of " + valueLen.toString() + " bytes (at most 1024)");
      if (!stream.readExact(SLOT + SLOT_VALUE, valueLen)) break;
      const status = put(keyLen, valueLen);
      if (status < 0) return commandError(index, failure!);
      out.u8(<u8>status);
    } else if (op == OP_GET) {
      if (!get(out, keyLen)) return commandError(index, failure!);
    } else {
      const status = remove(keyLen);
      if (status < 0) return commandError(index, failure!);
      out.u8(<u8>status);
    }
    index++;
  }
  if (!stream.ok) {
    return commandError(index, stream.truncated ? "input truncated by the host" : "truncated (the body ends inside it)");
  }
  if (headerDirty && !storeHeader()) return runError(failure!);
  return runOkOutput(out);
}
