// Memory blocks and pub-sub (the `test:shm/exchange` and `test:shm/pub-sub`
// host namespaces, docs/memory-blocks.md): host-owned byte buffers that a
// contract attaches into storage it donated from its own linear memory, passes
// to other contracts (Call.invokeWithBlocks) and publishes to subscriber
// instances. The imports are the canonical-ABI lowering of the seed's WIT, so
// every parameter is an i32 and every record result comes back through a
// return area the host writes. Handles are per execution and stay plain i32
// fields: wrapping any number (`new MemoryBlock(7)`) is allowed, and is how a
// test probe reaches the host's checks on handles it was never given. Misuse
// (a dead handle, detaching what is not attached, dropping an attached
// block, ...) traps the run; refusals the guest can recover from come back as
// a ShmError. Only the imports a contract actually calls end up in its module.
//
//   if (MemoryBlock.addStorage(STORAGE, 1024) != ADD_STORAGE_OK) return runError("no storage");
//   const block = MemoryBlock.create(1024);
//   const area = block.attach(AttachFlags.WRITE);
//   if (!area.ok) return runError("attach: " + shmErrorName(area.error));
//   memory.fill(area.addr, 0, area.size);
//   block.detach(area.size); // all 1024 bytes are now valid

/** `attach-options` flags; also the `mode` of createPartition. No flag: an exclusive read. */
export const enum AttachFlags {
  /** Exclusive write access to the handle's whole window. */
  WRITE = 1,
  /** Without WRITE: a read that may overlap other shared reads (detach must say 0). */
  SHARED = 2,
}

/** The `error` enum of attach and add-storage. */
export const enum ShmError {
  /** No storage was donated. */
  NO_STORAGE = 0,
  /** Another attach overlaps, the handle is already attached, or every slot that fits is in use. */
  BUSY = 1,
  /** No donated slot could ever hold this attach, or add-storage of zero bytes. */
  WRONG_SIZE = 2,
  /** Write through a read-only handle, storage outside memory or overlapping, too many slots. */
  INTERNAL = 3,
}

/** What MemoryBlock.addStorage answers on success (failures are a ShmError, 0 .. 3). */
export const ADD_STORAGE_OK: i32 = -1;

/** `[method]block-stream.next` tags. */
export const enum StreamTag {
  /** `block` holds a read-only handle on a publication, `seq` its sequence number. */
  BLOCK = 0,
  /** Nothing more for now. */
  NOTHING = 1,
  /** `missed` publications from `seq` on are gone (the subscriber fell too far behind). */
  GAP = 2,
}

/** Bytes `[method]block-stream.next` writes. */
export const NEXT_RESULT_BYTES: u32 = 56;
/** Publisher instance ids, as in a next result (the same 32 raw bytes as Call's instance ids). */
export const PUBLISHER_ID_BYTES: u32 = 32;

// Return areas (the host writes them during the call; read at once). Sized and
// aligned as the canonical ABI lays the results out.
/** attach: result<memory-area, error>: +0 u8 discriminant; ok: +4 addr, +8 size; err: +4 u8. */
const ATTACH_AREA: usize = memory.data(12, 4);
/** add-storage: result<_, error>: +0 u8 discriminant; err: +1 u8. */
const STORAGE_AREA: usize = memory.data(2, 4);
/** allocate: +0 u32 block, +4 u32 initialized bytes. */
const ALLOCATE_AREA: usize = memory.data(8, 4);

const NEXT_BLOCK: usize = 4;
const NEXT_SEQ: usize = 8;
const NEXT_MISSED: usize = 16;
const NEXT_PUBLISHER: usize = 20;

// test:shm/exchange
// @ts-ignore: decorator
@external("test:shm/exchange", "[constructor]memory-block")
declare function block_new(size: u32): i32;

// @ts-ignore: decorator
@external("test:shm/exchange", "[method]memory-block.clone")
declare function block_clone(block: i32): i32;

// @ts-ignore: decorator
@external("test:shm/exchange", "[method]memory-block.attach")
declare function block_attach(block: i32, flags: u32, retptr: usize): void;

// @ts-ignore: decorator
@external("test:shm/exchange", "[method]memory-block.detach")
declare function block_detach(block: i32, consumed: u32): void;

// @ts-ignore: decorator
@external("test:shm/exchange", "[method]memory-block.minimum-size")
declare function block_minimum_size(block: i32): u32;

// @ts-ignore: decorator
@external("test:shm/exchange", "[static]memory-block.optimum-size")
declare function block_optimum_size(count: u32, size: u32): u32;

// @ts-ignore: decorator
@external("test:shm/exchange", "[static]memory-block.add-storage")
declare function block_add_storage(addr: usize, size: u32, retptr: usize): void;

// @ts-ignore: decorator
@external("test:shm/exchange", "[static]memory-block.create-local")
declare function block_create_local(addr: usize, size: u32): i32;

// @ts-ignore: decorator
@external("test:shm/exchange", "[method]memory-block.create-partition")
declare function block_create_partition(block: i32, start: u32, size: u32, mode: u32): void;

// @ts-ignore: decorator
@external("test:shm/exchange", "[resource-drop]memory-block")
declare function block_drop(block: i32): void;

// @ts-ignore: decorator
@external("test:shm/exchange", "[resource-drop]address")
declare function address_drop(addr: usize): void;

// test:shm/pub-sub
// @ts-ignore: decorator
@external("test:shm/pub-sub", "[constructor]publisher")
declare function publisher_new(elements: u32, elementSize: u32): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[method]publisher.allocate")
declare function publisher_allocate(publisher: i32, retptr: usize): void;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[method]publisher.publish")
declare function publisher_publish(publisher: i32, block: i32): void;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[method]publisher.subscribers")
declare function publisher_subscribers(publisher: i32): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[method]publisher.get-stream")
declare function publisher_get_stream(publisher: i32): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[resource-drop]publisher")
declare function publisher_drop(publisher: i32): void;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[constructor]subscriber")
declare function subscriber_new(): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[static]subscriber.subscribe")
declare function subscriber_subscribe(publisherId: usize): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[static]subscriber.unsubscribe")
declare function subscriber_unsubscribe(publisherId: usize): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[static]subscriber.clone")
declare function subscriber_clone(subscriber: i32): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[method]subscriber.get-stream")
declare function subscriber_get_stream(subscriber: i32): i32;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[resource-drop]subscriber")
declare function subscriber_drop(subscriber: i32): void;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[method]block-stream.next")
declare function stream_next(stream: i32, retptr: usize): void;

// @ts-ignore: decorator
@external("test:shm/pub-sub", "[resource-drop]block-stream")
declare function stream_drop(stream: i32): void;

/** "BUSY (1)" and the like, for error messages. */
export function shmErrorName(error: i32): string {
  let name: string;
  switch (error) {
    case ADD_STORAGE_OK: name = "OK"; break;
    case ShmError.NO_STORAGE: name = "NO_STORAGE"; break;
    case ShmError.BUSY: name = "BUSY"; break;
    case ShmError.WRONG_SIZE: name = "WRONG_SIZE"; break;
    case ShmError.INTERNAL: name = "INTERNAL"; break;
    default: name = "error";
  }
  return name + " (" + error.toString() + ")";
}

/** An attach's result: on ok, the block's bytes are at [addr, addr + size) until detach. */
export class Attached {
  /** The result's discriminant as the host wrote it: 0 ok, 1 err. */
  discriminant: u8 = 0;
  ok: bool = false;
  /** A ShmError when not ok (0 on ok). */
  error: u8 = 0;
  /** Where the area is in linear memory (0 on error). */
  addr: usize = 0;
  /** Write attach: the handle's whole size. Read attach: the valid bytes. 0 on error. */
  size: u32 = 0;
}

/** A handle on a host-owned block; `handle` is the i32 the host numbers it by. */
export class MemoryBlock {
  constructor(public handle: i32) {}

  /** A new zeroed block of `size` bytes (1 .. 16 MiB); traps past the execution's block quota. */
  static create(size: u32): MemoryBlock {
    return new MemoryBlock(block_new(size));
  }

  /** A block whose bytes are [addr, addr + size) of this guest: attach maps it in place, no copy. */
  static createLocal(addr: usize, size: u32): MemoryBlock {
    return new MemoryBlock(block_create_local(addr, size));
  }

  /** Storage for `count` simultaneous attaches of `size` bytes (each 8-byte aligned). */
  static optimumSize(count: u32, size: u32): u32 {
    return block_optimum_size(count, size);
  }

  /**
   * Donates [addr, addr + size) of linear memory as one attach slot, for the
   * rest of the execution: ADD_STORAGE_OK (-1), or the ShmError (0 .. 3) the
   * host refused it with. The host, not the guest, picks the slot an attach uses.
   */
  static addStorage(addr: usize, size: u32): i32 {
    store<u16>(STORAGE_AREA, 0);
    block_add_storage(addr, size, STORAGE_AREA);
    return load<u8>(STORAGE_AREA) == 0 ? ADD_STORAGE_OK : <i32>load<u8>(STORAGE_AREA, 1);
  }

  /** `[resource-drop]address`: a no-op (an address is a plain offset), for completeness. */
  static dropAddress(addr: usize): void {
    address_drop(addr);
  }

  /** Another handle on the same bytes, read only. */
  clone(): MemoryBlock {
    return new MemoryBlock(block_clone(this.handle));
  }

  /** Maps the block into a donated slot (AttachFlags); check `ok` on the answer. */
  attach(flags: u32): Attached {
    return this.attachInto(flags, new Attached());
  }

  /** attach, answering in `result` (no allocation: for loops). */
  attachInto(flags: u32, result: Attached): Attached {
    // Zeroed first so the fields never show an earlier call's bytes.
    memory.fill(ATTACH_AREA, 0, 12);
    block_attach(this.handle, flags, ATTACH_AREA);
    const discriminant = load<u8>(ATTACH_AREA);
    result.discriminant = discriminant;
    result.ok = discriminant == 0;
    result.error = result.ok ? 0 : load<u8>(ATTACH_AREA, 4);
    result.addr = result.ok ? <usize>load<u32>(ATTACH_AREA, 4) : 0;
    result.size = result.ok ? load<u32>(ATTACH_AREA, 8) : 0;
    return result;
  }

  /**
   * Copies back and releases the slot. Write attach: the first `consumed`
   * bytes of the area are now the valid ones. Exclusive read: the first
   * `consumed` bytes are consumed. Shared read: must be 0.
   */
  detach(consumed: u32): void {
    block_detach(this.handle, consumed);
  }

  /** The storage one attach of this handle needs (its size). */
  minimumSize(): u32 {
    return block_minimum_size(this.handle);
  }

  /** Narrows this handle to [start, start + size) of its window; without WRITE in `mode` it becomes read only. */
  createPartition(start: u32, size: u32, mode: u32): void {
    block_create_partition(this.handle, start, size, mode);
  }

  /** Releases the handle (traps while attached); the block goes with its last handle. */
  drop(): void {
    block_drop(this.handle);
  }
}

/** A block from Publisher.allocate: write it (attach WRITE), then publish it. */
export class Allocation {
  constructor(
    public block: MemoryBlock,
    /** Bytes already valid in the new block (0). */
    public initialized: u32,
  ) {}
}

/** This instance's feed. */
export class Publisher {
  constructor(public handle: i32) {}

  /** At most `elements` (1 .. 64) allocated blocks unpublished at once, each `elementSize` (1 B .. 1 MiB). */
  static create(elements: u32, elementSize: u32): Publisher {
    return new Publisher(publisher_new(elements, elementSize));
  }

  /** A new block of the element size, to fill and publish. */
  allocate(): Allocation {
    store<u64>(ALLOCATE_AREA, 0);
    publisher_allocate(this.handle, ALLOCATE_AREA);
    return new Allocation(new MemoryBlock(load<i32>(ALLOCATE_AREA)), load<u32>(ALLOCATE_AREA, 4));
  }

  /** Publishes the block's valid bytes and consumes its handle; commits with the run, or not at all. */
  publish(block: MemoryBlock): void {
    publisher_publish(this.handle, block.handle);
  }

  /** A subscriber that sees what this execution publishes from now on (a local tap). */
  subscribers(): Subscriber {
    return new Subscriber(publisher_subscribers(this.handle));
  }

  /** A stream on a new local tap. */
  getStream(): BlockStream {
    return new BlockStream(publisher_get_stream(this.handle));
  }

  drop(): void {
    publisher_drop(this.handle);
  }
}

export class Subscriber {
  constructor(public handle: i32) {}

  /** This instance's inbox: what the instances it subscribes to published. */
  static inbox(): Subscriber {
    return new Subscriber(subscriber_new());
  }

  /**
   * Subscribes this instance to the feed of the instance whose 32-byte id is
   * at `publisherId`, from its next publication on. Takes effect when this
   * run commits (a failed run subscribes to nothing); 0, or a negative host
   * status (OUT_OF_BOUNDS). GET .../inbox shows the request until the
   * publisher has it, and why it was refused if it was.
   */
  static subscribe(publisherId: usize): i32 {
    return subscriber_subscribe(publisherId);
  }

  /** Ends this instance's subscription to that feed, when this run commits. */
  static unsubscribe(publisherId: usize): i32 {
    return subscriber_unsubscribe(publisherId);
  }

  /** Another handle on the same subscriber. */
  clone(): Subscriber {
    return new Subscriber(subscriber_clone(this.handle));
  }

  getStream(): BlockStream {
    return new BlockStream(subscriber_get_stream(this.handle));
  }

  drop(): void {
    subscriber_drop(this.handle);
  }
}

/**
 * The polling lowering of `stream<memory-block>`. Each next() fills the
 * fields below from its own 56-byte area (`raw`), valid until this stream's
 * next next(). What next() took from an inbox is consumed when the run commits.
 */
export class BlockStream {
  /** A StreamTag. */
  tag: u8 = <u8>StreamTag.NOTHING;
  /** BLOCK: a read-only handle on the publication (drop it when done), else 0. */
  block: i32 = 0;
  /** BLOCK: the publication's sequence number; GAP: the first one missed. */
  seq: u64 = 0;
  /** GAP: how many publications were missed. */
  missed: u32 = 0;
  /** The last result as the host wrote it (NEXT_RESULT_BYTES); the publisher id is at +20. */
  readonly raw: usize;

  constructor(public handle: i32) {
    this.raw = heap.alloc(<usize>NEXT_RESULT_BYTES);
    memory.fill(this.raw, 0, NEXT_RESULT_BYTES);
  }

  /** Polls for the next entry; answers the tag (also in `tag`). */
  next(): u8 {
    const raw = this.raw;
    memory.fill(raw, 0, NEXT_RESULT_BYTES);
    stream_next(this.handle, raw);
    const tag = load<u8>(raw);
    this.tag = tag;
    this.block = tag == StreamTag.BLOCK ? load<i32>(raw, NEXT_BLOCK) : 0;
    this.seq = tag == StreamTag.NOTHING ? 0 : load<u64>(raw, NEXT_SEQ);
    this.missed = tag == StreamTag.GAP ? load<u32>(raw, NEXT_MISSED) : 0;
    return tag;
  }

  /** Where the publisher's 32-byte instance id of the last BLOCK or GAP is (inside `raw`). */
  publisherId(): usize {
    return this.raw + NEXT_PUBLISHER;
  }

  drop(): void {
    stream_drop(this.handle);
  }
}
