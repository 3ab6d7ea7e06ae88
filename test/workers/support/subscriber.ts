// A test subscriber: opens GET .../subscribe as a WebSocket through the real
// Worker and reads its messages (a JSON header, then the bytes it announced
// in binary frames), acknowledging each unless told not to.
import { SELF } from "cloudflare:test";
import { base64 } from "@scure/base";
import { BASE } from "./api.js";

export interface Notification {
  type: "state" | "delta" | "ready";
  seq: number;
  version: number;
  summary?: Uint8Array;
  bytes?: Uint8Array;
  omitted?: boolean;
}

export class TestSubscriber {
  readonly #socket: WebSocket;
  readonly #frames: Array<string | ArrayBuffer> = [];
  #waiting: (() => void) | null = null;
  #arrived: Promise<void> = Promise.resolve();
  closed: { code: number; reason: string } | null = null;

  private constructor(
    socket: WebSocket,
    readonly ack: boolean,
  ) {
    this.#socket = socket;
    socket.accept();
    socket.addEventListener("message", (event) => {
      // Binary frames may surface as Blobs: read them in arrival order.
      const data = event.data as string | ArrayBuffer | Blob;
      this.#arrived = this.#arrived.then(async () => {
        this.#frames.push(data instanceof Blob ? await data.arrayBuffer() : data);
        this.#waiting?.();
      });
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.#waiting?.();
    });
  }

  static async open(id: string, query: Record<string, string> = {}, ack = true): Promise<TestSubscriber> {
    const response = await SELF.fetch(`${BASE}/v1/contracts/${id}/subscribe?${new URLSearchParams(query)}`, {
      headers: { upgrade: "websocket" },
    });
    const socket = response.webSocket;
    if (response.status !== 101 || !socket)
      throw new Error(`no WebSocket: ${response.status} ${await response.text()}`);
    return new TestSubscriber(socket, ack);
  }

  async #frame(): Promise<string | ArrayBuffer> {
    for (let tries = 0; this.#frames.length === 0; tries++) {
      if (this.closed) throw new Error(`closed ${this.closed.code}: ${this.closed.reason}`);
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
    }
    return this.#frames.shift() as string | ArrayBuffer;
  }

  /** The next notification, its bytes joined. */
  async next(): Promise<Notification> {
    const header = await this.#frame();
    if (typeof header !== "string") throw new Error("a binary frame where a header was due");
    const json = JSON.parse(header) as {
      type: Notification["type"];
      seq: number;
      version: number;
      summary?: string;
      size?: number;
      omitted?: boolean;
      data?: string;
    };
    const out: Notification = { type: json.type, seq: json.seq, version: json.version };
    if (json.summary !== undefined) out.summary = base64.decode(json.summary);
    if (json.data !== undefined) {
      out.bytes = base64.decode(json.data);
    } else if (json.type !== "ready" && !json.omitted) {
      const parts: Uint8Array[] = [];
      let got = 0;
      while (got < (json.size ?? 0)) {
        const frame = await this.#frame();
        if (typeof frame === "string") throw new Error("a header where bytes were due");
        parts.push(new Uint8Array(frame));
        got += frame.byteLength;
      }
      out.bytes = new Uint8Array(got);
      let at = 0;
      for (const part of parts) {
        out.bytes.set(part, at);
        at += part.length;
      }
    }
    if (json.omitted) out.omitted = true;
    if (this.ack) this.#socket.send(JSON.stringify({ type: "ack", seq: json.seq }));
    return out;
  }

  /** Nothing more arrives within a few event-loop turns (for "no duplicate" checks). */
  async quiet(): Promise<boolean> {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    return this.#frames.length === 0;
  }

  /** Resolves once the server closed the socket. */
  async closedBy(): Promise<{ code: number; reason: string }> {
    while (!this.closed) {
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
    }
    return this.closed;
  }

  close(): void {
    this.#socket.close(1000, "done");
  }
}
