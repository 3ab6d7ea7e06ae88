// Live subscriptions (README "Subscriptions"): every subscriber stands at a
// version and the summary of it. After a commit, each is sent what takes it
// from its summary to the new head: the delta (get_state_delta, computed once
// per distinct summary), or the whole state when it has no summary; every
// message carries the new version and summary. Rounds run one at a time, so
// a socket sees versions in order; a socket with too many messages
// (or bytes) unacknowledged is closed (4008) rather than buffered without bound.
import { base64 } from "@scure/base";
import { EdgeError } from "../../errors.js";
import { WS_CHUNK_BYTES, WS_INLINE_BYTES, WS_MAX_UNACKED, WS_MAX_UNACKED_BYTES } from "../../limits.js";
import type { StateVersion } from "../../store/state/state-tables.js";
import type { SummaryTable } from "../../store/subscriptions/summary-table.js";
import { SerialQueue } from "../serial-queue.js";

/** What a socket's attachment keeps (it survives hibernation; at most 2 KiB). */
export interface SocketState {
  /** BLAKE3 (hex) of the summary the subscriber stands at; null: it has none (gets whole states). */
  summary: string | null;
  version: number;
  sent: number;
  acked: number;
  /** Bytes of each unacknowledged message, oldest first (memory only: not in the attachment). */
  inFlight?: number[];
}

export interface Subscriber {
  state(): SocketState | null;
  save(state: SocketState): void;
  send(message: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface NotifierPorts {
  subscribers(): Subscriber[];
  head(): StateVersion | null;
  summarize(head: StateVersion): Promise<Uint8Array>;
  delta(head: StateVersion, summary: Uint8Array): Promise<Uint8Array>;
  /** The head's bytes, or null when it is too large to send (the client reads GET .../state). */
  stateBytes(head: StateVersion): Promise<Uint8Array | null>;
  summaries: SummaryTable;
  hashOf(bytes: Uint8Array): string;
  hashText(head: StateVersion): string;
  /** Resolves once the committing writer's answer is on its way (the DO waits WS_NOTIFY_AFTER_MS). */
  afterAnswer(): Promise<void>;
}

/** Distinct summaries a round computes deltas for; subscribers past that get the whole state. */
const MAX_DELTAS_PER_ROUND = 32;

export const SLOW_CONSUMER = 4008;
export const SERVER_ERROR = 1011;

/** Subscribers sent to between two yields to the event loop. */
const YIELD_EVERY = 16;

export class Notifier {
  readonly #ports: NotifierPorts;
  readonly #rounds = new SerialQueue();
  /** The round a commit asked for that has not read the head yet: later commits ride on it. */
  #due: Promise<void> | null = null;

  constructor(ports: NotifierPorts) {
    this.#ports = ports;
  }

  /** A new subscriber: catches it up from what it has (`summary`, `version`) to the head. */
  welcome(subscriber: Subscriber, summary: Uint8Array | null, version: number | null): Promise<void> {
    return this.#rounds
      .run(async () => {
        const head = this.#ports.head();
        const given = summary === null ? null : this.#remember(summary);
        const state: SocketState = { summary: given, version: version ?? 0, sent: 0, acked: 0 };
        if (!head || version === head.version) {
          // Up to date already: what it has is the head, so later deltas start from the head's summary.
          const standing = head ? (summary ?? (await this.#ports.summarize(head))) : null;
          if (head && given === null && standing) state.summary = this.#remember(standing);
          // Where it stands, as every message says: version, and with a head its hash and summary.
          const where =
            head && standing ? { hash: this.#ports.hashText(head), summary: base64.encode(standing) } : {};
          this.#send(
            subscriber,
            state,
            encodeMessage({ type: "ready", version: head?.version ?? 0, ...where }),
          );
          subscriber.save(state);
          return;
        }
        subscriber.save({ ...state, version: -1 });
        await this.#catchUp(head, [subscriber]);
      })
      .catch((error: unknown) => closeFailed([subscriber], error));
  }

  /**
   * After a commit: one round once the writer has its answer. Commits that land
   * before that round reads the head share it, so a subscriber's version may
   * jump; the delta it gets still covers every change, and a writer faster than
   * the fan-out queues one round, not one per commit.
   */
  afterCommit(): Promise<void> {
    this.#due ??= this.#ports.afterAnswer().then(() => {
      this.#due = null;
      return this.notify();
    });
    return this.#due;
  }

  /** Everyone behind the head is brought to it. */
  notify(): Promise<void> {
    return this.#rounds.run(async () => {
      const head = this.#ports.head();
      if (!head) return;
      // One walk of the sockets per round: a socket accepted meanwhile has no state until its welcome, which queues behind this round.
      const all = this.#ports.subscribers();
      const behind = all.filter((subscriber) => {
        const state = subscriber.state();
        return state !== null && state.version < head.version;
      });
      if (behind.length > 0)
        await this.#catchUp(head, behind).catch((error: unknown) => closeFailed(behind, error));
      const used = new Set<string>();
      for (const subscriber of all) {
        const standing = subscriber.state()?.summary;
        if (standing) used.add(standing);
      }
      this.#ports.summaries.prune(used);
    });
  }

  /** A subscriber acknowledged messages up to `seq`. */
  ack(subscriber: Subscriber, seq: number): void {
    const state = subscriber.state();
    if (state && seq > state.acked && seq <= state.sent) {
      const inFlight = (state.inFlight ?? []).slice(seq - state.acked);
      subscriber.save({ ...state, acked: seq, inFlight });
    }
  }

  async #catchUp(head: StateVersion, subscribers: Subscriber[]): Promise<void> {
    const summary = await this.#ports.summarize(head);
    const hash = this.#remember(summary);
    const groups = new Map<string | null, Subscriber[]>();
    for (const subscriber of subscribers) {
      const from = subscriber.state()?.summary ?? null;
      const group = groups.get(from);
      if (group) group.push(subscriber);
      else groups.set(from, [subscriber]);
    }
    let deltas = 0;
    let whole: Uint8Array | null | undefined;
    const wholeState = async () =>
      whole === undefined ? (whole = await this.#ports.stateBytes(head)) : whole;
    for (const [from, members] of groups) {
      const standing = from === null ? null : this.#ports.summaries.get(from);
      let payload: { kind: "delta" | "state" | "ready"; bytes: Uint8Array | null };
      if (from === hash) {
        // They stand at the head's summary already: nothing to send but where they are.
        payload = { kind: "ready", bytes: new Uint8Array(0) };
      } else if (standing !== null && deltas < MAX_DELTAS_PER_ROUND) {
        deltas++;
        payload = await this.#ports.delta(head, standing).then(
          (bytes) => ({ kind: "delta" as const, bytes }),
          // A contract that cannot produce the delta: the whole state still brings them to the head.
          async () => ({ kind: "state" as const, bytes: await wholeState() }),
        );
      } else {
        payload = { kind: "state", bytes: await wholeState() };
      }
      // One header text per group: only `seq` differs between its sockets.
      const message = encodeMessage(
        {
          type: payload.kind,
          version: head.version,
          hash: this.#ports.hashText(head),
          summary: base64.encode(summary),
          size: payload.bytes?.length ?? head.size,
          ...(payload.bytes === null ? { omitted: true } : {}),
        },
        payload.bytes ?? undefined,
      );
      for (const [index, subscriber] of members.entries()) {
        // Let other work through between slices: a writer's answer never waits for a whole fan-out.
        if (index > 0 && index % YIELD_EVERY === 0) await new Promise((resolve) => setTimeout(resolve, 0));
        const state = subscriber.state();
        if (!state) continue;
        const next = { ...state, summary: hash, version: head.version };
        if (this.#send(subscriber, next, message)) subscriber.save(next);
      }
    }
  }

  /** Sends one message (and its bytes as binary frames); false when the subscriber was closed instead. */
  #send(subscriber: Subscriber, state: SocketState, message: EncodedMessage): boolean {
    const bytes = message.chunks.reduce((sum, chunk) => sum + chunk.length, message.head.length + 16);
    const inFlight = state.inFlight ?? [];
    const held = inFlight.reduce((sum, size) => sum + size, 0);
    if (
      state.sent - state.acked >= WS_MAX_UNACKED ||
      (inFlight.length > 0 && held + bytes > WS_MAX_UNACKED_BYTES)
    ) {
      subscriber.close(
        SLOW_CONSUMER,
        `too slow: ${state.sent - state.acked} messages (${held} bytes) unacknowledged; reconnect with your summary`,
      );
      return false;
    }
    state.inFlight = [...inFlight, bytes];
    state.sent++;
    try {
      subscriber.send(`${message.head}${state.sent}}`);
      for (const chunk of message.chunks) subscriber.send(chunk);
    } catch {
      // The socket went away mid-round: its close event cleans up.
      return false;
    }
    return true;
  }

  #remember(summary: Uint8Array): string {
    const hash = this.#ports.hashOf(summary);
    this.#ports.summaries.put(hash, summary);
    return hash;
  }
}

/** A header as text up to its `seq` (the last field), and the binary frames that follow it. */
interface EncodedMessage {
  head: string;
  chunks: Uint8Array[];
}

function encodeMessage(message: Record<string, unknown>, bytes?: Uint8Array): EncodedMessage {
  // Small payloads ride in the header (one frame per subscriber); larger ones follow it in binary frames.
  const inline = bytes !== undefined && bytes.length <= WS_INLINE_BYTES;
  const text = JSON.stringify(inline ? { ...message, data: base64.encode(bytes) } : message);
  const chunks: Uint8Array[] = [];
  if (bytes && !inline) {
    for (let at = 0; at < bytes.length; at += WS_CHUNK_BYTES)
      chunks.push(bytes.subarray(at, at + WS_CHUNK_BYTES));
  }
  return { head: `${text.slice(0, -1)}${text.length > 2 ? "," : ""}"seq":`, chunks };
}

/**
 * The contract could not summarize the head (or the state could not be read):
 * these subscribers cannot be brought to it now. Closed with 1011 and the
 * error's code, they reconnect with what they hold and lose nothing.
 */
function closeFailed(subscribers: Subscriber[], error: unknown): void {
  const code = error instanceof EdgeError ? error.code : "INTERNAL";
  for (const subscriber of subscribers) {
    try {
      subscriber.close(SERVER_ERROR, `cannot bring you to the head now (${code}); reconnect later`);
    } catch {
      // Gone already.
    }
  }
}
