// A subscription over GET .../subscribe (README "Subscriptions"): each JSON
// header's bytes ride in it (`data`, base64) or follow it in binary frames; it
// acknowledges cumulatively, and after a disconnect reconnects with the last
// version and summary it was sent, so the server sends one delta, no gap.
// A connect that fails before any message asks the instance URL whether the
// instance exists: one that does not ends the subscription instead of being
// retried forever.
import { concatBytes } from "@noble/hashes/utils.js";
import { base64, base64urlnopad } from "@scure/base";
import { apiError, EdgeApiError } from "./api-error.js";

export interface Notification {
  type: "state" | "delta" | "ready";
  version: number;
  hash: string;
  summary: Uint8Array;
  /** The delta or state; absent when `omitted` (a state over 16 MiB: read it with GET .../state). */
  bytes?: Uint8Array;
  omitted?: boolean;
}

export interface SubscribeOptions {
  summary?: Uint8Array;
  version?: number;
  onChange: (notification: Notification) => void;
  /** A disconnect it recovers from (it reconnects after this) or a message it could not read. */
  onError?: (error: Error) => void;
  /**
   * The subscription ended by itself and will not reconnect: a connect failed and `check` says the
   * instance does not exist (an EdgeApiError of status 404 or 410, e.g. CONTRACT_NOT_FOUND, or
   * INVALID_ID). Called at most once, and not for `close()` or `signal`. Any other failure is
   * reported to `onError` and retried with backoff.
   */
  onEnd?: (error: EdgeApiError) => void;
  /**
   * Run after a connect that failed before any message; throwing one of the errors `onEnd` lists
   * ends the subscription. The default is a plain GET of the instance URL (the
   * subscribe URL without "/subscribe"); EdgeClient passes its own `describe`, with its auth and fetch.
   */
  check?: () => Promise<void>;
  signal?: AbortSignal;
  /** The first reconnect waits this long, doubling up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface Subscription {
  close(): void;
}

interface Header {
  type: Notification["type"];
  seq: number;
  version: number;
  hash: string;
  summary: string;
  size: number;
  data?: string;
  omitted?: boolean;
}

// Acks are cumulative, and each wakes the server's object: every 8th message, or every 8 MiB,
// is enough inside its window (32 messages, 32 MiB; README "Subscriptions").
const ACK_EVERY = 8;
const ACK_EVERY_BYTES = 8 * 1024 * 1024;
// Normal closure and "going away" with no error: the caller or the server ended it on purpose.
const CLIENT_CLOSED = 1000;

/** An answer that will not change by retrying: the instance is not there, or its id is malformed. */
function isFinal(error: unknown): error is EdgeApiError {
  return (
    error instanceof EdgeApiError &&
    (error.status === 404 || error.status === 410 || error.code === "INVALID_ID")
  );
}

function defaultCheck(httpUrl: string): () => Promise<void> {
  const instanceUrl = httpUrl.replace(/\/subscribe(?=$|\?)/, "");
  return async () => {
    const response = await fetch(instanceUrl);
    if (!response.ok) throw await apiError(response);
    await response.body?.cancel();
  };
}

async function binaryOf(data: unknown): Promise<Uint8Array | null> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "object" && data !== null && "arrayBuffer" in data) {
    const blob = data as { arrayBuffer(): Promise<ArrayBuffer> };
    return new Uint8Array(await blob.arrayBuffer());
  }
  return null;
}

export function subscribe(httpUrl: string, options: SubscribeOptions): Subscription {
  let version = options.version;
  let summary = options.summary;
  let closed = false;
  let socket: WebSocket | undefined;
  let backoff = options.backoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = options.check ?? defaultCheck(httpUrl);

  const retry = (reason: Error) => {
    options.onError?.(reason);
    timer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  };

  const connect = () => {
    const url = new URL(httpUrl.replace(/^http/, "ws"));
    if (summary !== undefined) url.searchParams.set("summary", base64urlnopad.encode(summary));
    if (version !== undefined) url.searchParams.set("version", String(version));
    const ws = new WebSocket(url.href);
    socket = ws;
    ws.binaryType = "arraybuffer";
    let pending: { header: Header; parts: Uint8Array[]; received: number } | undefined;
    let lastSeq = 0;
    let acked = 0;
    let unackedBytes = 0;
    // A socket closed before its first message never got through: maybe there is no instance.
    let received = false;
    // Set once this socket is given up on: nothing it still brings is delivered, so the next
    // connection resumes from the last summary delivered, not from one delivered behind its back.
    let lost = false;
    // Messages are handled in arrival order even though reading a binary frame may be async.
    let queue = Promise.resolve();

    const deliver = (header: Header, bytes: Uint8Array | undefined) => {
      if (lost) return;
      version = header.version;
      summary = base64.decode(header.summary);
      lastSeq = header.seq;
      backoff = options.backoffMs ?? 250;
      const notification: Notification = {
        type: header.type,
        version: header.version,
        hash: header.hash,
        summary,
      };
      if (bytes) notification.bytes = bytes;
      if (header.omitted) notification.omitted = true;
      unackedBytes += bytes?.length ?? 0;
      if (lastSeq - acked >= ACK_EVERY || unackedBytes >= ACK_EVERY_BYTES || header.type !== "delta") {
        acked = lastSeq;
        unackedBytes = 0;
        ws.send(JSON.stringify({ type: "ack", seq: lastSeq }));
      }
      options.onChange(notification);
    };

    const handle = async (data: unknown) => {
      if (typeof data === "string") {
        const header = JSON.parse(data) as Header;
        if (header.data !== undefined) return deliver(header, base64.decode(header.data));
        if (header.omitted || header.size === 0)
          return deliver(header, header.omitted ? undefined : new Uint8Array(0));
        pending = { header, parts: [], received: 0 };
        return;
      }
      const chunk = await binaryOf(data);
      if (!chunk || !pending) return;
      pending.parts.push(chunk);
      pending.received += chunk.length;
      if (pending.received < pending.header.size) return;
      const bytes = concatBytes(...pending.parts);
      const { header } = pending;
      pending = undefined;
      deliver(header, bytes);
    };

    ws.addEventListener("message", (event: MessageEvent) => {
      const data: unknown = event.data;
      received = true;
      queue = queue
        .then(() => handle(data))
        .catch((error: unknown) => {
          options.onError?.(error instanceof Error ? error : new Error(String(error)));
        });
    });
    const onLost = (reason: Error) => {
      if (lost || closed) return;
      lost = true;
      // An "error" need not close the socket; one left open would hold a subscriber slot.
      if (ws.readyState === WebSocket.OPEN) ws.close(CLIENT_CLOSED);
      if (received) return retry(reason);
      check().then(
        () => {
          if (!closed) retry(reason);
        },
        (error: unknown) => {
          if (closed) return;
          if (!isFinal(error)) return retry(reason);
          closed = true;
          options.onEnd?.(error);
        },
      );
    };
    ws.addEventListener("close", (event: CloseEvent) => {
      onLost(new Error(`subscription closed (${event.code} ${event.reason}); reconnecting`));
    });
    // Node's WebSocket (undici) reports a refused or non-101 connect with "error" and no "close".
    ws.addEventListener("error", () => {
      onLost(new Error("subscription could not connect or lost its connection; reconnecting"));
    });
  };

  const close = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    socket?.close(CLIENT_CLOSED);
  };
  options.signal?.addEventListener("abort", close, { once: true });
  if (!options.signal?.aborted) connect();
  return { close };
}
