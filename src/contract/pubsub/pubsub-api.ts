// The pub-sub routes' view of one instance (README "Memory blocks and
// pub-sub"): its feed and subscriptions as a publisher, its inbox as a
// subscriber. An RpcTarget the DO hands out once the instance exists.
import { RpcTarget } from "cloudflare:workers";
import { EdgeError, toOutcome, type Outcome } from "../../errors.js";
import { INBOX_CAPACITY, MAX_SUBSCRIPTIONS } from "../../limits.js";
import type { RequestInfo } from "../../protocol/pubsub-port.js";
import type { SubscriptionInfo } from "../../protocol/pubsub-port.js";
import type { SubscriptionRow } from "../../store/shm/feed-tables.js";
import type { PubSubStore } from "../../store/shm/pubsub-store.js";

export interface PubSubApiPorts {
  store: PubSubStore;
  /** A subscriber's inbox depth for this feed (null: its DO did not answer). */
  depth(subscriber: string): Promise<number | null>;
  now(): number;
}

export interface FeedInfo {
  next: number;
  retained: Array<{ seq: number; size: number; publishedAt: number }>;
}

export interface InboxInfo {
  entries: Array<{ publisher: string; seq: number; size: number; missed: number }>;
  /** Subscriptions this instance asked for from a contract that the publisher has not taken yet (or refused). */
  requests: RequestInfo[];
}

export class PubSubApi extends RpcTarget {
  readonly #ports: PubSubApiPorts;

  constructor(ports: PubSubApiPorts) {
    super();
    this.#ports = ports;
  }

  subscribe(subscriber: string): Promise<Outcome<SubscriptionInfo & { created: boolean }>> {
    return toOutcome(async () => {
      const { feed } = this.#ports.store;
      const created = feed.subscribe(subscriber, this.#ports.now());
      return { ...(await this.#info(feed.subscription(subscriber) ?? notFound(subscriber))), created };
    });
  }

  unsubscribe(subscriber: string): Promise<Outcome<{ removed: true }>> {
    return toOutcome(() => {
      if (!this.#ports.store.feed.unsubscribe(subscriber)) notFound(subscriber);
      return { removed: true as const };
    });
  }

  subscriptions(): Promise<Outcome<{ next: number; subscriptions: SubscriptionInfo[] }>> {
    return toOutcome(async () => {
      const { feed } = this.#ports.store;
      const subscriptions = await Promise.all(feed.subscriptions().map((row) => this.#info(row)));
      return { next: feed.nextSeq(), subscriptions };
    });
  }

  feed(): Promise<Outcome<FeedInfo>> {
    return toOutcome(() => {
      const { feed } = this.#ports.store;
      const retained = feed.publications().map(({ seq, size, publishedAt }) => ({ seq, size, publishedAt }));
      return { next: feed.nextSeq(), retained };
    });
  }

  publication(seq: number): Promise<Outcome<Uint8Array>> {
    return toOutcome(() => {
      const { feed, blocks } = this.#ports.store;
      const row = feed.publication(seq);
      if (!row) {
        throw new EdgeError(
          "PUBLICATION_NOT_FOUND",
          "the feed keeps no publication with that sequence number",
          {
            details: { seq, oldest: feed.oldestSeq(), next: feed.nextSeq() },
          },
        );
      }
      return blocks.read(row.block);
    });
  }

  inbox(): Promise<Outcome<InboxInfo>> {
    return toOutcome(() => ({
      entries: this.#ports.store.inbox
        .entries(INBOX_CAPACITY * MAX_SUBSCRIPTIONS)
        .map(({ publisher, seq, size, missed }) => ({ publisher, seq, size, missed })),
      requests: this.#ports.store.requests.list(),
    }));
  }

  inboxEntry(publisher: string, seq: number): Promise<Outcome<Uint8Array>> {
    return toOutcome(() => {
      const { inbox, blocks } = this.#ports.store;
      const row = inbox.entry(publisher, seq);
      if (!row || row.block === null) {
        throw new EdgeError(
          "PUBLICATION_NOT_FOUND",
          "the inbox holds no publication with that sequence number",
          {
            details: { publisher, seq },
          },
        );
      }
      return blocks.read(row.block);
    });
  }

  async #info(row: SubscriptionRow): Promise<SubscriptionInfo> {
    const next = this.#ports.store.feed.nextSeq();
    const error =
      row.state === "queue_full"
        ? {
            code: "SUBSCRIBER_QUEUE_FULL" as const,
            message: `the subscriber's inbox holds ${INBOX_CAPACITY} entries of this feed`,
          }
        : row.state === "unreachable"
          ? {
              code: "SUBSCRIBER_UNREACHABLE" as const,
              message: "the last delivery to the subscriber failed; the alarm retries it",
            }
          : null;
    return {
      subscriber: row.subscriber,
      state: row.state,
      next: row.nextSeq,
      pending: next - row.nextSeq,
      queued: await this.#ports.depth(row.subscriber),
      missed: row.missed,
      error,
    };
  }
}

function notFound(subscriber: string): never {
  throw new EdgeError("SUBSCRIPTION_NOT_FOUND", "this feed has no subscription for that instance", {
    details: { subscriber },
  });
}
