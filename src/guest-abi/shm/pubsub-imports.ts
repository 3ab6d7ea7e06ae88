// The test:shm/pub-sub imports for core modules (docs/memory-blocks.md). A
// publisher is this instance's feed: publishes wait for the run to commit.
// A subscriber is the instance's inbox, or a local tap on what this execution
// publishes; `stream<memory-block>` is lowered as a polling `next`.
import { EdgeError } from "../../errors.js";
import { encodeId, ID_BYTES } from "../../identity/ids.js";
import { HostStatus } from "../../protocol/host-status.js";
import { MAX_PUBLICATION_BYTES, MAX_PUBLISHER_ELEMENTS } from "../../limits.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { InboxEntry, PubSubChanges, PubSubPort, PubSubRefresh } from "../../protocol/pubsub-port.js";
import type { GuestBinding, GuestCall } from "../guest-call.js";
import { ALLOCATE_RESULT_BYTES, NEXT_RESULT_BYTES, NextTag } from "./shm-abi.js";

interface Publisher {
  elements: number;
  elementSize: number;
  /** Blocks allocated from it and not yet published. */
  allocated: Set<number>;
}

/** What a subscriber reads: the inbox (one cursor for the execution) or a tap's own queue. */
type Source = { kind: "inbox" } | { kind: "tap"; queue: InboxEntry[] };

const u32 = (value: number) => value >>> 0;

class Handles<T> {
  readonly #items = new Map<number, T>();
  #next = 1;

  constructor(readonly what: string) {}

  add(item: T): number {
    const handle = this.#next++;
    this.#items.set(handle, item);
    return handle;
  }

  get(handle: number): T {
    return this.#items.get(handle) ?? shmTrap(`${this.what} ${handle} is not live in this execution`);
  }

  drop(handle: number): void {
    this.get(handle);
    this.#items.delete(handle);
  }
}

export function bindPubSub(call: GuestCall, port: PubSubPort | undefined): GuestBinding<PubSubChanges> {
  const publishers = new Handles<Publisher>("publisher");
  const subscribers = new Handles<Source>("subscriber");
  const streams = new Handles<Source>("block-stream");
  const taps: Array<Extract<Source, { kind: "tap" }>> = [];
  let inboxAt = 0;
  let published: Uint8Array[] = [];
  let consumed: PubSubChanges["consumed"] = [];
  let subscriptions: PubSubChanges["subscriptions"] = [];
  let publishedInAll = 0;
  const takenElsewhere = new Set<string>();
  const charge = (bytes = 0) => call.meter.charge(bytes === 0 ? HOST_COST.call : hostBytesCost(bytes));
  const table = () => call.blocks().table;
  const instance = () => port ?? shmTrap("pub-sub needs a contract instance");

  const newTap = (): Source => {
    const tap = { kind: "tap" as const, queue: [] };
    taps.push(tap);
    return tap;
  };

  const take = (source: Source): InboxEntry | undefined => {
    if (source.kind === "tap") return source.queue.shift();
    let entry = instance().inbox[inboxAt];
    // What a re-entrant frame of this transaction consumed is not read again here.
    while (entry && takenElsewhere.has(`${encodeId(entry.publisher)}/${entry.seq}`))
      entry = instance().inbox[++inboxAt];
    if (!entry) return undefined;
    inboxAt++;
    consumed.push({ publisher: encodeId(entry.publisher), seq: entry.seq });
    return entry;
  };

  const publish = (publisherHandle: number, block: number) => {
    const publisher = publishers.get(publisherHandle);
    const info = table().describe(block);
    if (info?.borrowed) shmTrap(`publish: block ${block} is borrowed from the caller`);
    const entry = table().take(block);
    const { bytes, start, end } = table().snapshotOf(entry);
    if (end - start > MAX_PUBLICATION_BYTES) {
      table().put(block, entry);
      throw new EdgeError(
        "BLOCK_LIMIT",
        `publish: ${end - start} bytes; a publication holds at most ${MAX_PUBLICATION_BYTES}`,
      );
    }
    table().forget(entry);
    publisher.allocated.delete(block);
    const value = bytes.slice(start, end);
    // Until the changes go to the DO, the published bytes are the execution's.
    table().hold(value.length);
    charge(value.length);
    const seq = instance().nextSeq + publishedInAll++;
    published.push(value);
    for (const tap of taps) tap.queue.push({ publisher: instance().self, seq, bytes: value, missed: 0 });
  };

  const next = (streamHandle: number, retptr: number) => {
    const entry = take(streams.get(streamHandle));
    const record = new Uint8Array(NEXT_RESULT_BYTES);
    const out = new DataView(record.buffer);
    if (!entry) {
      out.setUint8(0, NextTag.EMPTY);
    } else {
      const bytes = entry.bytes;
      out.setUint8(0, bytes === null ? NextTag.GAP : NextTag.BLOCK);
      if (bytes !== null)
        out.setUint32(4, table().adopt({ bytes: bytes.slice(), start: 0, end: bytes.length }, true), true);
      out.setBigUint64(8, BigInt(entry.seq), true);
      out.setUint32(16, entry.missed, true);
      record.set(entry.publisher, 20);
      charge(bytes?.length ?? 0);
    }
    call.memory().write(u32(retptr), record, "result area");
  };

  /** What changed since the last checkpoint (an outgoing call stages it first). */
  const changes = (): PubSubChanges | undefined => {
    if (published.length + consumed.length + subscriptions.length === 0) return undefined;
    const out = { published, consumed, subscriptions };
    table().unhold(published.reduce((sum, bytes) => sum + bytes.length, 0));
    published = [];
    consumed = [];
    subscriptions = [];
    return out;
  };

  /** Records a (un)subscription for the commit: 0, or OUT_OF_BOUNDS for an id outside memory. */
  const request = (idPtr: number, subscribe: boolean): number => {
    charge();
    instance();
    if (!call.memory().contains(u32(idPtr), ID_BYTES)) return HostStatus.OUT_OF_BOUNDS;
    const publisher = encodeId(call.memory().read(u32(idPtr), ID_BYTES, "publisher id"));
    subscriptions.push({ publisher, subscribe });
    return HostStatus.OK;
  };

  return {
    imports: {
      "[static]subscriber.subscribe": (idPtr: number): number => request(idPtr, true),
      "[static]subscriber.unsubscribe": (idPtr: number): number => request(idPtr, false),
      "[constructor]publisher": (elements: number, elementSize: number): number => {
        charge();
        instance();
        if (u32(elements) < 1 || u32(elements) > MAX_PUBLISHER_ELEMENTS)
          shmTrap(`publisher: elements must be 1 to ${MAX_PUBLISHER_ELEMENTS}, not ${u32(elements)}`);
        if (u32(elementSize) < 1 || u32(elementSize) > MAX_PUBLICATION_BYTES)
          shmTrap(`publisher: element-size must be 1 to ${MAX_PUBLICATION_BYTES}, not ${u32(elementSize)}`);
        return publishers.add({
          elements: u32(elements),
          elementSize: u32(elementSize),
          allocated: new Set(),
        });
      },
      "[method]publisher.allocate": (handle: number, retptr: number): void => {
        const publisher = publishers.get(u32(handle));
        charge(publisher.elementSize);
        for (const block of publisher.allocated) if (!table().entry(block)) publisher.allocated.delete(block);
        if (publisher.allocated.size >= publisher.elements)
          shmTrap(`allocate: all ${publisher.elements} elements are allocated and unpublished`);
        const block = table().create(publisher.elementSize);
        publisher.allocated.add(block);
        const record = new Uint8Array(ALLOCATE_RESULT_BYTES);
        new DataView(record.buffer).setUint32(0, block, true);
        call.memory().write(u32(retptr), record, "result area");
      },
      "[method]publisher.publish": (handle: number, block: number): void => {
        charge();
        publish(u32(handle), u32(block));
      },
      "[method]publisher.subscribers": (handle: number): number => {
        charge();
        publishers.get(u32(handle));
        return subscribers.add(newTap());
      },
      "[method]publisher.get-stream": (handle: number): number => {
        charge();
        publishers.get(u32(handle));
        return streams.add(newTap());
      },
      "[constructor]subscriber": (): number => {
        charge();
        instance();
        return subscribers.add({ kind: "inbox" });
      },
      "[static]subscriber.clone": (handle: number): number => {
        charge();
        return subscribers.add(subscribers.get(u32(handle)));
      },
      "[method]subscriber.get-stream": (handle: number): number => {
        charge();
        return streams.add(subscribers.get(u32(handle)));
      },
      "[method]block-stream.next": (handle: number, retptr: number): void => {
        charge();
        next(u32(handle), retptr);
      },
      "[resource-drop]publisher": (handle: number): void => {
        charge();
        publishers.drop(u32(handle));
      },
      "[resource-drop]subscriber": (handle: number): void => {
        charge();
        subscribers.drop(u32(handle));
      },
      "[resource-drop]block-stream": (handle: number): void => {
        charge();
        streams.drop(u32(handle));
      },
    },
    checkpoint: changes,
    finish: changes,
    refresh: (changed) => {
      const { consumed: taken, published: count } = changed as PubSubRefresh;
      for (const { publisher, seq } of taken) takenElsewhere.add(`${publisher}/${seq}`);
      publishedInAll += count;
    },
  };
}

function shmTrap(message: string): never {
  throw new EdgeError("CONTRACT_TRAP", `the contract misused test:shm: ${message}`);
}
