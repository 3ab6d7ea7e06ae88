// Delivery from a feed to its subscribers' inboxes (docs/memory-blocks.md):
// after a commit every subscription gets what it has not yet, in order and
// in batches, each inbox acknowledging how far it got. One delivery round
// runs at a time per instance, so an inbox never sees a later publication
// before an earlier one; what fails or meets a full inbox is retried by the
// alarm. A subscriber behind the feed's retention is sent a gap first.
import type { Clock } from "../../clock.js";
import { DELIVERY_BATCH, DELIVERY_BATCH_BYTES, DELIVERY_RETRY_MS } from "../../limits.js";
import type { Delivery, DeliveryAck } from "../../protocol/pubsub-port.js";
import type { SubscriptionRow } from "../../store/shm/feed-tables.js";
import type { PubSubStore } from "../../store/shm/pubsub-store.js";
import { SerialQueue } from "../serial-queue.js";

/** A subscriber instance, as deliveries reach it (its DO's shmDeliver). */
export type DeliverTo = (subscriber: string, publisher: string, delivery: Delivery) => Promise<DeliveryAck>;

export interface FanOutPorts {
  self: string;
  store: () => PubSubStore;
  clock: Clock;
  deliver: DeliverTo;
  wakeAt(ms: number): void;
}

export class FanOut {
  readonly #ports: FanOutPorts;
  readonly #rounds = new SerialQueue();

  constructor(ports: FanOutPorts) {
    this.#ports = ports;
  }

  /** Delivers everything outstanding to every subscription; resolves when the round is over. */
  run(): Promise<void> {
    return this.#rounds.run(async () => {
      const { feed } = this.#ports.store();
      const next = feed.nextSeq();
      const behind = feed.subscriptions().filter((row) => row.nextSeq < next);
      await Promise.all(behind.map((row) => this.#catchUp(row)));
      const retry = feed.nextRetry();
      if (retry !== null) this.#ports.wakeAt(retry);
    });
  }

  async #catchUp(row: SubscriptionRow): Promise<void> {
    const { store, clock, deliver, self } = this.#ports;
    const { feed, blocks } = store();
    let current = row;
    while (current.nextSeq < feed.nextSeq()) {
      const oldest = feed.oldestSeq();
      const gap =
        current.nextSeq < oldest ? { from: current.nextSeq, count: oldest - current.nextSeq } : null;
      const from = Math.max(current.nextSeq, oldest);
      const entries: Delivery["entries"] = [];
      let bytes = 0;
      for (const publication of feed.publications(from, DELIVERY_BATCH)) {
        if (entries.length > 0 && bytes + publication.size > DELIVERY_BATCH_BYTES) break;
        entries.push({ seq: publication.seq, bytes: blocks.read(publication.block) });
        bytes += publication.size;
      }
      let ack: DeliveryAck;
      try {
        ack = await deliver(current.subscriber, self, { entries, ...(gap ? { gap } : {}) });
      } catch {
        feed.update({ ...current, state: "unreachable", retryAt: clock.now() + DELIVERY_RETRY_MS });
        return;
      }
      // The subscription may have gone while the delivery was out.
      if (!feed.subscription(current.subscriber)) return;
      const missed = current.missed + (gap && ack.through >= gap.from + gap.count - 1 ? gap.count : 0);
      const moved = ack.through + 1 > current.nextSeq;
      current = { ...current, nextSeq: Math.max(current.nextSeq, ack.through + 1), missed };
      // An inbox that took nothing and is not full answered wrongly: try again later rather than spin.
      if (ack.full || !moved) {
        feed.update({ ...current, state: "queue_full", retryAt: clock.now() + DELIVERY_RETRY_MS });
        return;
      }
      feed.update({ ...current, state: "active", retryAt: null });
    }
  }
}
