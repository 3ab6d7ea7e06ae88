// An instance's live subscribers over its Durable Object's hibernatable
// WebSockets: the upgrade (what the subscriber says it has comes in the URL),
// its acknowledgements, and the Notifier's ports (sockets and their
// attachments, the head, summaries and deltas through the executor).
import { base64, base64urlnopad, hex } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
import { EdgeError } from "../../errors.js";
import { encodeId } from "../../identity/ids.js";
import {
  WS_MAX_CONNECT_SUMMARY_CHARS,
  WS_MAX_SOCKETS,
  WS_MAX_STATE_BYTES,
  WS_MAX_SUMMARY_BYTES,
  WS_NOTIFY_AFTER_MS,
} from "../../limits.js";
import type { StateVersion } from "../../store/state/state-tables.js";
import { SummaryTable } from "../../store/subscriptions/summary-table.js";
import type { SqlPort } from "../../store/sql/sql-port.js";
import type { ContractExecutor } from "../contract-executor.js";
import type { OpenInstance } from "../open-instance.js";
import { Notifier, type SocketState, type Subscriber } from "./notifier.js";
import { bytesOfBody } from "../../protocol/reply-body.js";

export interface SubscriptionsContext {
  state: DurableObjectState;
  sql: SqlPort;
  opened: OpenInstance;
  executor(): ContractExecutor;
}

export interface OpenSubscriptions {
  notifier: Notifier;
  /** Accepts a subscribe request's socket (the route checked it asks to upgrade). */
  accept(request: Request): Response;
  message(socket: WebSocket, message: string | ArrayBuffer): void;
  /** Whether any subscriber is connected (a commit with none notifies nobody, cheaply). */
  any(): boolean;
}

/**
 * Socket state, kept in memory and in each socket's attachment (which survives
 * hibernation). Acknowledgements stay in memory only: a socket woken from
 * hibernation starts with everything it was sent counted as acknowledged,
 * so no ack costs a write.
 */
const states = new WeakMap<WebSocket, SocketState>();

const subscriberOf = (socket: WebSocket): Subscriber => ({
  state: () => {
    const cached = states.get(socket);
    if (cached) return cached;
    const stored = socket.deserializeAttachment() as SocketState | null;
    if (!stored) return null;
    const woken = { ...stored, acked: stored.sent, inFlight: [] };
    states.set(socket, woken);
    return woken;
  },
  save: (next) => {
    const before = states.get(socket);
    states.set(socket, next);
    if (
      !before ||
      before.summary !== next.summary ||
      before.version !== next.version ||
      before.sent !== next.sent
    ) {
      // What survives hibernation; a woken socket counts everything as acknowledged.
      socket.serializeAttachment({
        summary: next.summary,
        version: next.version,
        sent: next.sent,
        acked: next.acked,
      });
    }
  },
  send: (message) => socket.send(message),
  close: (code, reason) => socket.close(code, reason),
});

export function openSubscriptions(ctx: SubscriptionsContext): OpenSubscriptions {
  const { state, opened } = ctx;
  const notifier = new Notifier({
    subscribers: () => state.getWebSockets().map(subscriberOf),
    head: () => opened.state.head(),
    summarize: async (head) => checkSummary(await bytesOfBody((await ctx.executor().summarize(head)).body)),
    delta: async (head, summary) => bytesOfBody((await ctx.executor().delta(head, summary)).body),
    stateBytes: async (head: StateVersion) =>
      head.size > WS_MAX_STATE_BYTES
        ? null
        : new Uint8Array(
            await new Response(opened.state.read(head, { start: 0, end: head.size })).arrayBuffer(),
          ),
    summaries: new SummaryTable(ctx.sql),
    hashOf: (bytes) => hex.encode(sha256(bytes)),
    hashText: (head) => encodeId(head.hash),
    afterAnswer: () => new Promise((resolve) => setTimeout(resolve, WS_NOTIFY_AFTER_MS)),
  });
  return {
    notifier,
    any: () => state.getWebSockets().length > 0,
    accept: (request) => {
      const { summary, version } = hello(new URL(request.url));
      if (state.getWebSockets().length >= WS_MAX_SOCKETS) {
        throw new EdgeError("SUBSCRIBER_LIMIT", `an instance serves at most ${WS_MAX_SOCKETS} subscribers`);
      }
      const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
      state.acceptWebSocket(server);
      state.waitUntil(notifier.welcome(subscriberOf(server), summary, version));
      return new Response(null, { status: 101, webSocket: client });
    },
    message: (socket, message) => {
      const ack = parseAck(message);
      if (ack === null) {
        socket.close(1003, 'send only {"type":"ack","seq":<n>}');
        return;
      }
      notifier.ack(subscriberOf(socket), ack);
    },
  };
}

/** What the subscriber says it has: `summary` (base64url or base64) and `version`, both optional. */
function hello(url: URL): { summary: Uint8Array | null; version: number | null } {
  const text = url.searchParams.get("summary");
  const versionText = url.searchParams.get("version");
  if (text !== null && text.length > WS_MAX_CONNECT_SUMMARY_CHARS) {
    throw new EdgeError(
      "BAD_REQUEST",
      `summary: at most ${WS_MAX_CONNECT_SUMMARY_CHARS} characters in the URL`,
    );
  }
  let summary: Uint8Array | null = null;
  if (text !== null) {
    try {
      summary = /[+/=]/.test(text) ? base64.decode(text) : base64urlnopad.decode(text);
    } catch (cause) {
      throw new EdgeError("BAD_REQUEST", "summary must be base64url (or base64)", { cause });
    }
  }
  if (versionText !== null && !/^\d{1,15}$/.test(versionText)) {
    throw new EdgeError("BAD_REQUEST", "version must be a non-negative integer", {
      details: { version: versionText.slice(0, 40) },
    });
  }
  return { summary, version: versionText === null ? null : Number(versionText) };
}

function parseAck(message: string | ArrayBuffer): number | null {
  if (typeof message !== "string" || message.length > 200) return null;
  try {
    const value = JSON.parse(message) as { type?: unknown; seq?: unknown };
    return value.type === "ack" && Number.isSafeInteger(value.seq) ? (value.seq as number) : null;
  } catch {
    return null;
  }
}

function checkSummary(summary: Uint8Array): Uint8Array {
  if (summary.length > WS_MAX_SUMMARY_BYTES) {
    throw new EdgeError(
      "CONTRACT_ABI",
      `the contract's summary is ${summary.length} bytes; a subscription carries at most ${WS_MAX_SUMMARY_BYTES}`,
    );
  }
  return summary;
}
