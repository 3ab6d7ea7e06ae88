// The instruction sequences the rewriter inserts, encoded once per module
// (they only differ by the indices of the fuel and depth globals and of the
// refuel import) so that emitting one is a copy.
import { BinaryWriter } from "./binary-writer.js";

const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const IF = 0x04;
const END = 0x0b;
const VOID = 0x40;

function encode(write: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter();
  write(w);
  return w.finish();
}

export class ChargeCode {
  /** `global.get $fuel; i64.const` (the cost follows). */
  readonly #chargeHead: Uint8Array;
  /** `i64.sub; global.set $fuel; if $fuel < 0 { call $refuel }`. */
  readonly #chargeTail: Uint8Array;
  /** `global.get $fuel`, then the operand copy is read from the scratch local. */
  readonly #fuelGet: Uint8Array;
  /** `depth -= 1; if depth < 0 { unreachable }`: the host reads the depth global and reports the limit. */
  readonly depthEnter: Uint8Array;
  /** `depth += 1`. */
  readonly depthExit: Uint8Array;
  readonly #refusedGlobal: number;

  constructor(fuelGlobal: number, depthGlobal: number, refusedGlobal: number, refuelFunction: number) {
    this.#refusedGlobal = refusedGlobal;
    this.#fuelGet = encode((w) => {
      w.byte(GLOBAL_GET);
      w.u32(fuelGlobal);
    });
    this.#chargeHead = encode((w) => {
      w.bytes(this.#fuelGet);
      w.byte(I64_CONST);
    });
    this.#chargeTail = encode((w) => {
      w.byte(0x7d); // i64.sub
      w.byte(GLOBAL_SET);
      w.u32(fuelGlobal);
      w.bytes(this.#fuelGet);
      w.bytes([I64_CONST, 0, 0x53, IF, VOID, 0x10]); // i64.const 0; i64.lt_s; if; call
      w.u32(refuelFunction);
      w.byte(END);
    });
    const step = (op: number) =>
      encode((w) => {
        w.byte(GLOBAL_GET);
        w.u32(depthGlobal);
        w.bytes([I32_CONST, 1, op]);
        w.byte(GLOBAL_SET);
        w.u32(depthGlobal);
      });
    this.depthExit = step(0x6a); // i32.add
    this.depthEnter = encode((w) => {
      w.bytes(step(0x6b)); // i32.sub
      w.byte(GLOBAL_GET);
      w.u32(depthGlobal);
      w.bytes([I32_CONST, 0, 0x48, IF, VOID, 0x00, END]); // i32.lt_s; if; unreachable; end
    });
  }

  /** Charges a constant. */
  charge(out: BinaryWriter, cost: number): void {
    out.bytes(this.#chargeHead);
    out.s64(cost);
    out.bytes(this.#chargeTail);
  }

  /**
   * A grow (`memory.grow` or `table.grow`, its code in `grow`) charged by its count only once it
   * succeeded: a refused grow does no work. A refused `memory.grow` records the pages it asked
   * for (`recordRefused`), so a trap that follows is reported as running out of memory.
   * `count` and `result` are i32 scratch locals.
   */
  growThenCharge(
    out: BinaryWriter,
    grow: Uint8Array,
    count: number,
    result: number,
    shift: number,
    recordRefused: boolean,
  ): void {
    out.byte(LOCAL_TEE);
    out.u32(count);
    out.bytes(grow);
    out.byte(LOCAL_TEE);
    out.u32(result);
    out.bytes([I32_CONST, 0x7f, 0x47, IF, VOID]); // i32.const -1; i32.ne; if
    this.#chargeLocal(out, count, shift);
    if (recordRefused) {
      out.byte(0x05); // else
      out.byte(LOCAL_GET);
      out.u32(count);
      out.byte(GLOBAL_SET);
      out.u32(this.#refusedGlobal);
    }
    out.byte(END);
    out.byte(LOCAL_GET);
    out.u32(result);
  }

  /**
   * Charges the i32 count on top of the stack scaled by 2^shift (negative: divided),
   * leaving the count in place; `scratch` is an i32 local the rewriter added.
   */
  chargeOperand(out: BinaryWriter, scratch: number, shift: number): void {
    out.byte(LOCAL_TEE);
    out.u32(scratch);
    this.#chargeLocal(out, scratch, shift);
  }

  /** Charges the count in local `scratch`, scaled by 2^shift. */
  #chargeLocal(out: BinaryWriter, scratch: number, shift: number): void {
    out.bytes(this.#fuelGet);
    out.byte(LOCAL_GET);
    out.u32(scratch);
    out.byte(0xad); // i64.extend_i32_u
    if (shift !== 0) {
      out.byte(I64_CONST);
      out.s64(Math.abs(shift));
      out.byte(shift > 0 ? 0x86 : 0x88); // i64.shl / i64.shr_u
    }
    out.bytes(this.#chargeTail);
  }
}
