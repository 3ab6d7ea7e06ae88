// A bench thread holding its share of the subscriber sockets (one node event
// loop cannot read 1000 sockets without delaying the writer it times). It
// acknowledges every header and tells the parent when all its sockets have
// reached a version (wall-clock ms: performance.timeOrigin + now).
import { parentPort, workerData } from "node:worker_threads";

const { origin, id, count } = workerData;
const versions = Array.from({ length: count }, () => 0);
let reported = 0;

function report() {
  const lowest = versions.reduce((min, v) => Math.min(min, v), Infinity);
  if (lowest > reported) {
    reported = lowest;
    parentPort.postMessage({
      type: "reached",
      version: lowest,
      at: performance.timeOrigin + performance.now(),
    });
  }
}

const opened = [];
for (let at = 0; at < count; at += 50) {
  const batch = [];
  for (let k = at; k < Math.min(at + 50, count); k++) {
    const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/v1/contracts/${id}/subscribe`);
    socket.binaryType = "arraybuffer";
    batch.push(
      new Promise((resolve, reject) => {
        socket.addEventListener("error", () => reject(new Error("subscribe failed")), { once: true });
        socket.addEventListener("message", (event) => {
          if (typeof event.data !== "string") return;
          const header = JSON.parse(event.data);
          // Acks are cumulative: every 8th message, as the client does (src/client/subscription.ts).
          if (header.seq % 8 === 0) socket.send(JSON.stringify({ type: "ack", seq: header.seq }));
          versions[k] = header.version;
          resolve();
          report();
        });
      }),
    );
    opened.push(socket);
  }
  await Promise.all(batch);
}
parentPort.postMessage({ type: "opened" });
parentPort.on("message", (message) => {
  if (message === "close") {
    for (const socket of opened) socket.close();
    parentPort.close();
  }
});
