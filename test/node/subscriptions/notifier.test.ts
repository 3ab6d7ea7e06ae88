// The Notifier over real SQLite (its summary table) with in-memory sockets:
// deltas are computed once per distinct summary however many subscribers
// stand there, versions only move forward, and the slow consumer is closed.
import { describe, expect, it } from "vitest";
import {
  Notifier,
  SERVER_ERROR,
  SLOW_CONSUMER,
  type SocketState,
  type Subscriber,
} from "../../../src/contract/subscriptions/notifier.js";
import { WS_MAX_UNACKED, WS_MAX_UNACKED_BYTES } from "../../../src/limits.js";
import { EdgeError } from "../../../src/errors.js";
import type { StateVersion } from "../../../src/store/state/state-tables.js";
import { SummaryTable } from "../../../src/store/subscriptions/summary-table.js";
import { nodeSql } from "../support/node-sql.js";

class Socket implements Subscriber {
  attachment: SocketState | null = null;
  frames: Array<string | Uint8Array> = [];
  closed: number | null = null;
  state = () => this.attachment;
  save = (next: SocketState) => {
    this.attachment = { ...next };
  };
  send = (message: string | Uint8Array) => {
    if (this.closed !== null) throw new Error("closed");
    this.frames.push(message);
  };
  close = (code: number) => {
    this.closed = code;
  };
  headers = () =>
    this.frames
      .filter((frame): frame is string => typeof frame === "string")
      .map((frame) => JSON.parse(frame) as { type: string; version: number; seq: number });
}

function setup(failSummary = false, deltaBytes = 0) {
  let head: StateVersion | null = null;
  const sockets: Socket[] = [];
  const deltas: string[] = [];
  const text = new TextEncoder();
  // Each afterAnswer() waits until the test lets the writer's answer out.
  const answers: Array<() => void> = [];
  const notifier = new Notifier({
    subscribers: () => sockets.filter((socket) => socket.closed === null),
    head: () => head,
    summarize: async (at) => {
      if (failSummary) throw new EdgeError("CONTRACT_REJECTED", "no summary today");
      return text.encode(`v${at.version}`);
    },
    delta: async (at, summary) => {
      deltas.push(new TextDecoder().decode(summary));
      if (deltaBytes > 0) return new Uint8Array(deltaBytes);
      return text.encode(`${new TextDecoder().decode(summary)}->v${at.version}`);
    },
    stateBytes: async (at) => text.encode(`state v${at.version}`),
    summaries: new SummaryTable(nodeSql()),
    hashOf: (bytes) => new TextDecoder().decode(bytes),
    hashText: (at) => `hash${at.version}`,
    afterAnswer: () => new Promise<void>((resolve) => answers.push(resolve)),
  });
  const commit = (version: number) => {
    head = {
      version,
      hash: new Uint8Array(32),
      size: 10,
      createdAt: 0,
      blobId: version,
    } as unknown as StateVersion;
  };
  return { notifier, sockets, deltas, commit, answers };
}

describe("the notifier", () => {
  it("after a commit computes a delta once per distinct summary, whatever the number of subscribers there", async () => {
    const { notifier, sockets, deltas, commit } = setup();
    commit(1);
    for (let i = 0; i < 30; i++) {
      const socket = new Socket();
      sockets.push(socket);
      // Each says it holds version 1, under one of three summaries.
      await notifier.welcome(socket, new TextEncoder().encode(`mine${i % 3}`), 1);
    }
    expect(deltas).toEqual([]);
    commit(2);
    await notifier.notify();
    expect(deltas.toSorted()).toEqual(["mine0", "mine1", "mine2"]);
    commit(3);
    await notifier.notify();
    // They all stood at v2's summary then: one delta for all thirty.
    expect(deltas.slice(3)).toEqual(["v2"]);
    expect(
      sockets.every(
        (socket) =>
          socket
            .headers()
            .map((header) => `${header.type}@${header.version}`)
            .join() === "ready@1,delta@2,delta@3",
      ),
    ).toBe(true);
  });

  it("starts a commit's round only after the writer's answer, and commits before it share that round", async () => {
    const { notifier, sockets, commit, answers } = setup();
    commit(1);
    const socket = new Socket();
    sockets.push(socket);
    await notifier.welcome(socket, null, null);
    commit(2);
    const first = notifier.afterCommit();
    commit(3);
    const second = notifier.afterCommit();
    await Promise.resolve();
    // Nothing is sent while the answer is still on its way.
    expect(socket.headers()).toHaveLength(1);
    expect(answers).toHaveLength(1);
    answers[0]!();
    await Promise.all([first, second]);
    commit(4);
    const third = notifier.afterCommit();
    expect(answers).toHaveLength(2);
    answers[1]!();
    await third;
    expect(socket.headers().map((header) => `${header.type}@${header.version}`)).toEqual([
      "state@1",
      "delta@3",
      "delta@4",
    ]);
  });

  it("sends nothing when the head did not move, and never a version twice", async () => {
    const { notifier, sockets, commit } = setup();
    commit(1);
    const socket = new Socket();
    sockets.push(socket);
    await notifier.welcome(socket, null, null);
    await notifier.notify();
    await notifier.notify();
    expect(socket.headers().map((header) => `${header.type}@${header.version}`)).toEqual(["state@1"]);
  });

  it(`closes a socket with ${WS_MAX_UNACKED} messages unacknowledged, and keeps one that acknowledges`, async () => {
    const { notifier, sockets, commit } = setup();
    commit(1);
    const [slow, prompt] = [new Socket(), new Socket()];
    sockets.push(slow, prompt);
    await notifier.welcome(slow, null, null);
    await notifier.welcome(prompt, null, null);
    for (let version = 2; version <= WS_MAX_UNACKED + 1; version++) {
      const last = prompt.headers().at(-1);
      if (last) notifier.ack(prompt, last.seq);
      commit(version);
      await notifier.notify();
    }
    expect(slow.closed).toBe(SLOW_CONSUMER);
    expect(prompt.closed).toBeNull();
    expect(slow.headers()).toHaveLength(WS_MAX_UNACKED);
    expect(prompt.headers()).toHaveLength(WS_MAX_UNACKED + 1);
  });

  it(`closes a socket with ${WS_MAX_UNACKED_BYTES} bytes unacknowledged, after letting the first big message go`, async () => {
    const { notifier, sockets, commit } = setup(false, 20 * 1024 * 1024);
    commit(1);
    const [slow, prompt] = [new Socket(), new Socket()];
    sockets.push(slow, prompt);
    const summary = new TextEncoder().encode("v1");
    await notifier.welcome(slow, summary, 1);
    await notifier.welcome(prompt, summary, 1);
    for (let version = 2; version <= 4; version++) {
      const last = prompt.headers().at(-1);
      if (last) notifier.ack(prompt, last.seq);
      commit(version);
      await notifier.notify();
    }
    // One 20 MiB delta is out unacknowledged; a second would pass 32 MiB.
    expect(slow.closed).toBe(SLOW_CONSUMER);
    expect(slow.headers().map((header) => `${header.type}@${header.version}`)).toEqual([
      "ready@1",
      "delta@2",
    ]);
    expect(prompt.closed).toBeNull();
    expect(prompt.headers()).toHaveLength(4);
  });

  it("closes with 1011 and the code when the contract cannot summarize the head, so the subscriber reconnects", async () => {
    const { notifier, sockets, commit } = setup(true);
    commit(1);
    const socket = new Socket();
    sockets.push(socket);
    await notifier.welcome(socket, null, null);
    expect(socket.closed).toBe(SERVER_ERROR);
    expect(socket.frames).toEqual([]);
  });
});
