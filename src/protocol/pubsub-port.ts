// What crosses between the test:shm/pub-sub imports (sandbox), an instance's
// DO and the DOs of its subscribers (docs/memory-blocks.md). Types only.

/** One inbox entry as a run sees it: a publication, or a gap (`bytes` null) of `missed` publications. */
export interface InboxEntry {
  /** The publisher's 32-byte instance id. */
  publisher: Uint8Array;
  seq: number;
  bytes: Uint8Array | null;
  missed: number;
}

export interface PubSubPort {
  /** This instance's id (a local tap's entries name it as their publisher). */
  self: Uint8Array;
  /** The first entries of the instance's inbox, oldest first (bounded window). */
  inbox: InboxEntry[];
  /** The sequence number the feed's next publication gets if the run commits (a local tap reports it). */
  nextSeq: number;
}

export interface PubSubChanges {
  /** What the frame published, in order (sequence numbers come at commit). */
  published: Uint8Array[];
  /** Inbox entries its streams took: consumed when it commits. */
  consumed: Array<{ publisher: string; seq: number }>;
  /** Feeds to subscribe this instance to (or unsubscribe it from) once it commits. */
  subscriptions: SubscriptionRequest[];
}

/** What a re-entrant frame of the transaction did here, for the outer frame to take in when its call returns. */
export interface PubSubRefresh {
  consumed: Array<{ publisher: string; seq: number }>;
  /** Publications it made (the outer frame's local taps number after them). */
  published: number;
}

export interface SubscriptionRequest {
  publisher: string;
  subscribe: boolean;
}

/** What a publisher's DO answers a subscription request (shmSubscribe). */
export type SubscribeAnswer = { ok: true } | { ok: false; code: "CONTRACT_NOT_FOUND" | "SUBSCRIPTION_LIMIT" };

/** A request this instance made from a contract, until the publisher has it. */
export interface RequestInfo {
  publisher: string;
  subscribe: boolean;
  state: "pending" | "refused";
  error: string | null;
}

/** One delivery RPC from a feed to a subscriber's inbox. */
export interface Delivery {
  entries: Array<{ seq: number; bytes: Uint8Array }>;
  /** Publications the subscriber fell too far behind to get. */
  gap?: { from: number; count: number };
}

export interface DeliveryAck {
  /** The highest sequence number the inbox now has (or had: duplicates count as delivered). */
  through: number;
  /** The inbox refused the rest: it is full. */
  full: boolean;
}

export type SubscriptionState = "active" | "queue_full" | "unreachable";

export interface SubscriptionInfo {
  subscriber: string;
  state: SubscriptionState;
  /** The next sequence number it will be sent. */
  next: number;
  /** Publications committed but not yet in its inbox. */
  pending: number;
  /** Entries in its inbox from this feed not yet consumed (null: its DO did not answer). */
  queued: number | null;
  /** Publications it missed by falling behind the feed's retention, in all. */
  missed: number;
  error: { code: "SUBSCRIBER_QUEUE_FULL" | "SUBSCRIBER_UNREACHABLE"; message: string } | null;
}
