// stdout and stderr of one call, captured for the run's logs: the first
// `limit` bytes of both together are kept, the rest dropped and counted (a
// guest cannot grow the host's memory by printing). stdin is empty.
import { concatBytes } from "@noble/hashes/utils.js";
import { hostBytesCost } from "../../metering/fuel-costs.js";
import type { HostMeter } from "../../metering/fuel-meter.js";
import type { ByteSink, ByteSource } from "./streams.js";

export interface CapturedOutput {
  stdout: Uint8Array;
  stderr: Uint8Array;
  droppedBytes: number;
}

/** What a stream of the console may take per write (what WASI's check-write advertises). */
const CONSOLE_WRITE_BYTES = 64 * 1024;

export class OutputCapture {
  readonly #limit: number;
  readonly #meter: HostMeter;
  readonly #chunks = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  #kept = 0;
  #dropped = 0;

  constructor(limit: number, meter: HostMeter) {
    this.#limit = limit;
    this.#meter = meter;
  }

  sink(which: "stdout" | "stderr"): ByteSink {
    const write = (bytes: Uint8Array) => {
      this.#meter.charge(hostBytesCost(bytes.length));
      const keep = Math.max(0, Math.min(bytes.length, this.#limit - this.#kept));
      // A copy: the glue's array may be a view of guest memory.
      if (keep > 0) this.#chunks[which].push(bytes.slice(0, keep));
      this.#kept += keep;
      this.#dropped += bytes.length - keep;
    };
    return {
      capacity: () => CONSOLE_WRITE_BYTES,
      write,
      writeZeroes: (length) => write(new Uint8Array(Math.min(length, CONSOLE_WRITE_BYTES))),
    };
  }

  output(): CapturedOutput {
    return {
      stdout: concatBytes(...this.#chunks.stdout),
      stderr: concatBytes(...this.#chunks.stderr),
      droppedBytes: this.#dropped,
    };
  }
}

/** stdin: always at its end. */
export const EMPTY_INPUT: ByteSource = {
  read: () => null,
  skip: () => null,
};
