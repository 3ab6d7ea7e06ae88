// A contract that floods the log: 2000 calls of 4 KiB, with control characters.
import createWabt from "wabt";
import { beforeAll, describe, expect, it } from "vitest";
import { runContract } from "../../../src/sandbox/contract-runner.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";
import { MAX_LOG_BYTES_PER_CALL, MAX_LOG_LINES_PER_CALL } from "../../../src/limits.js";

// run(): logs 2000 times the 4096 bytes at 4096 (a line feed and an escape among them), then answers.
const FLOOD = `(module
  (import "freenet_log" "__frnt__logger__info" (func $log (param i64 i64 i32)))
  (memory (export "memory") 2)
  (data (i32.const 4096) "line\\0a\\1b[31mforged")
  (data (i32.const 200) "\\c8\\00\\00\\00\\00\\00\\00\\00\\05\\00\\00\\00\\00\\00\\00\\00")
  (func (export "__frnt__initiate_buffer") (param i32) (result i64)
    (i64.store (i32.const 64) (i64.const 1024))
    (i32.store (i32.const 72) (local.get 0))
    (i64.store (i32.const 80) (i64.const 96))
    (i64.store (i32.const 88) (i64.const 100))
    (i64.const 64))
  (func (export "run") (param i64) (result i64) (local $i i32)
    (loop $again
      (call $log (i64.const 0) (i64.const 4096) (i32.const 4096))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 2000))))
    (i64.const 200)))`;

let flood: WebAssembly.Module;
beforeAll(async () => {
  const wabt = await createWabt();
  const parsed = wabt.parseWat("flood.wat", FLOOD);
  flood = new WebAssembly.Module(new Uint8Array(parsed.toBinary({}).buffer));
  parsed.destroy();
});

describe("the log budget of one execution", () => {
  it("keeps 2000 x 4 KiB to the line and byte budget, escapes control characters, says what it dropped", async () => {
    const lines: string[] = [];
    const outcome = await runContract(
      flood,
      { op: "run", input: bytesInput(new Uint8Array(0)) },
      { jspi: false, memoryLimitBytes: 1 << 20, log: (line) => lines.push(line) },
    );
    expect(outcome.value.op).toBe("run");
    const kept = lines.slice(0, -1);
    expect(kept.length).toBeLessThanOrEqual(MAX_LOG_LINES_PER_CALL);
    expect(kept.join("").length).toBeLessThanOrEqual(MAX_LOG_BYTES_PER_CALL);
    expect(kept.length).toBeGreaterThan(0);
    // oxlint-disable-next-line no-control-regex -- the assertion is that none is left
    expect(kept.every((line) => !/[\u0000-\u001f\u007f]/.test(line))).toBe(true);
    expect(kept[0]).toMatch(/^line\\x0a\\x1b\[31mforged/);
    expect(lines.at(-1)).toMatch(new RegExp(`^\\(${2000 - kept.length} more log lines dropped`));
  });
});
