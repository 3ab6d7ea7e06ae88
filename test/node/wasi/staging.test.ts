// The write buffer's stage RPCs run while the guest goes on: a stage that
// fails must still fail the call (at its next flush or at finish), never be
// lost, and at most one buffer may be in flight.
import { describe, expect, it } from "vitest";
import type { Descriptor } from "../../../src/guest-abi/wasi/descriptor.js";
import { bindWasi } from "../../../src/guest-abi/wasi/wasi-imports.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import type { FilesPort, StagedPage } from "../../../src/protocol/files-port.js";
import { RW } from "../../support/conformance/wasi-files-calls.js";
import { memoryFilesHost } from "../conformance/wasi-files-host.js";

const BUFFER = 64 * 1024;

/** A port whose stage RPCs answer when `release` is called, or fail. */
function slowPort(fail: boolean) {
  const port = memoryFilesHost.open({ writeBufferBytes: BUFFER }).port();
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const stage = port.source.stage.bind(port.source);
  const slow: FilesPort = {
    ...port,
    source: {
      ...port.source,
      lookup: port.source.lookup.bind(port.source),
      list: port.source.list.bind(port.source),
      readPages: port.source.readPages.bind(port.source),
      readStaged: port.source.readStaged.bind(port.source),
      stage: (pages: StagedPage[]) =>
        new Promise<void>((resolve, reject) => {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          waiting.push(() => {
            inFlight--;
            if (fail) reject(new Error("the DO went away"));
            else resolve(stage(pages) as void);
          });
        }),
    },
  };
  const release = () => {
    for (const next of waiting.splice(0)) next();
  };
  return { port: slow, release, mostInFlight: () => mostInFlight };
}

async function fileOf(port: FilesPort): Promise<{ wasi: ReturnType<typeof bindWasi>; file: Descriptor }> {
  const wasi = bindWasi(port, { meter: UNMETERED, fuelUsed: () => 0 });
  const [[root]] = (
    wasi.imports["wasi:filesystem/preopens"]!.getDirectories as () => Array<[Descriptor, string]>
  )() as [[Descriptor, string]];
  return { wasi, file: await root.openAt({}, "f", { create: true }, RW) };
}

describe("staging while the guest goes on", () => {
  it("returns from the write that fills the buffer before its stage has landed, one buffer in flight", async () => {
    const { port, release, mostInFlight } = slowPort(false);
    const { wasi, file } = await fileOf(port);
    // Fills the buffer: its stage starts and the write returns without waiting for it.
    await file.write(new Uint8Array(BUFFER + 1).fill(1), 0n);
    const second = file.write(new Uint8Array(BUFFER + 1).fill(2), BigInt(BUFFER + 1));
    // The second flush waits for the first stage: still one in flight.
    await Promise.resolve();
    expect(mostInFlight()).toBe(1);
    release();
    const interval = setInterval(release, 1);
    await second;
    const finished = wasi.finish();
    const changes = await finished;
    clearInterval(interval);
    expect(changes?.contents).toEqual([expect.objectContaining({ size: 2 * (BUFFER + 1) })]);
    expect(mostInFlight()).toBe(1);
  });

  it("fails the call when a stage fails, at finish", async () => {
    const { port, release } = slowPort(true);
    const { wasi, file } = await fileOf(port);
    await file.write(new Uint8Array(BUFFER + 1).fill(1), 0n);
    release();
    await expect(wasi.finish()).rejects.toThrow("the DO went away");
  });
});
