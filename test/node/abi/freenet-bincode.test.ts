// Byte layouts checked against bincode 1.3.3 output for freenet-stdlib's types.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BincodeWriter,
  type BincodeReader,
  decodeBytes,
  decodeResult,
  decodeUpdateModification,
  decodeValidateResult,
  encodeRelatedContracts,
  encodeUpdateData,
} from "../../../src/protocol/freenet-bincode.js";
import { EdgeError } from "../../../src/errors.js";

const hex = (text: string) => hexToBytes(text.replace(/\s+/g, ""));
const id11 = new Uint8Array(32).fill(0x11);
const ID11 = "11".repeat(32);

describe("decoding contract results", () => {
  it.each([
    ["00000000 00000000", { ok: true, value: { kind: "valid" } }],
    ["00000000 01000000", { ok: true, value: { kind: "invalid" } }],
    [
      `00000000 02000000 0100000000000000 ${ID11}`,
      { ok: true, value: { kind: "requestRelated", ids: [id11] } },
    ],
    ["01000000 01000000", { ok: false, error: { variant: "InvalidUpdate" } }],
    ["01000000 00000000 0100000000000000 78", { ok: false, error: { variant: "Deser", message: "x" } }],
    [
      "01000000 02000000 0100000000000000 72",
      { ok: false, error: { variant: "InvalidUpdateWithInfo", reason: "r" } },
    ],
    ["01000000 03000000", { ok: false, error: { variant: "InvalidState" } }],
    ["01000000 04000000", { ok: false, error: { variant: "InvalidDelta" } }],
    [
      "01000000 05000000 0400000000000000 6f6f7073",
      { ok: false, error: { variant: "Other", message: "oops" } },
    ],
  ])("Result<ValidateResult> %s", (bytes, expected) => {
    expect(decodeResult(hex(bytes), decodeValidateResult)).toEqual(expected);
  });

  it("UpdateModification with a new state and without", () => {
    expect(
      decodeResult(hex("00000000 01 0300000000000000 616263 0000000000000000"), decodeUpdateModification),
    ).toEqual({
      ok: true,
      value: { newState: hex("616263"), related: [] },
    });
    expect(
      decodeResult(hex(`00000000 00 0100000000000000 ${ID11} 01000000`), decodeUpdateModification),
    ).toEqual({
      ok: true,
      value: { newState: null, related: [{ id: id11, mode: "StateThenSubscribe" }] },
    });
  });

  it("StateSummary / StateDelta bytes", () => {
    expect(decodeResult(hex("00000000 0200000000000000 0102"), decodeBytes)).toEqual({
      ok: true,
      value: hex("0102"),
    });
    expect(decodeResult(hex("00000000 0000000000000000"), decodeBytes)).toEqual({
      ok: true,
      value: new Uint8Array(0),
    });
  });

  it("malformed results are CONTRACT_FAULT, never a crash", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoders: Array<(reader: BincodeReader) => unknown> = [
          decodeValidateResult,
          decodeUpdateModification,
          decodeBytes,
        ];
        for (const decode of decoders) {
          const outcome = (() => {
            try {
              decodeResult(bytes, decode);
              return "decoded";
            } catch (error) {
              return error instanceof EdgeError ? error.code : "crash";
            }
          })();
          expect(["decoded", "CONTRACT_FAULT"]).toContain(outcome);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("a length that overruns the bytes is refused", () => {
    expect(() => decodeResult(hex("00000000 ffffffffffffff7f 00"), decodeBytes)).toThrow(
      expect.objectContaining({ name: "EdgeError", code: "CONTRACT_FAULT" }),
    );
    expect(() => decodeResult(hex("00000000 0200000000000000 00"), decodeBytes)).toThrow(
      expect.objectContaining({ name: "EdgeError", code: "CONTRACT_FAULT" }),
    );
    // The same bytes with a length that fits decode.
    expect(decodeResult(hex("00000000 0100000000000000 00"), decodeBytes)).toEqual({
      ok: true,
      value: hex("00"),
    });
  });
});

describe("encoding contract inputs", () => {
  it.each([
    [[{ kind: "Delta", delta: hex("7879") }], "0100000000000000 01000000 0200000000000000 7879"],
    [[{ kind: "State", state: hex("7879") }], "0100000000000000 00000000 0200000000000000 7879"],
    [
      [{ kind: "StateAndDelta", state: hex("61"), delta: hex("62") }],
      "0100000000000000 02000000 0100000000000000 61 0100000000000000 62",
    ],
    [
      [{ kind: "RelatedState", relatedTo: id11, state: hex("61") }],
      `0100000000000000 03000000 ${ID11} 0100000000000000 61`,
    ],
  ] as const)("Vec<UpdateData> %#", (updates, expected) => {
    expect(bytesToHex(encodeUpdateData(updates as never))).toBe(expected.replace(/\s+/g, ""));
  });

  it("RelatedContracts", () => {
    expect(bytesToHex(encodeRelatedContracts([]))).toBe("0000000000000000");
    expect(bytesToHex(encodeRelatedContracts([[id11, null]]))).toBe(`0100000000000000${ID11}00`);
    expect(bytesToHex(encodeRelatedContracts([[id11, hex("7a")]]))).toBe(
      `0100000000000000${ID11}01${"0100000000000000"}7a`,
    );
  });

  it("writer primitives are little-endian fixint", () => {
    expect(bytesToHex(new BincodeWriter().u8(1).u32(2).u64(3).bytes(hex("ff")).finish())).toBe(
      "010200000003000000000000000100000000000000ff",
    );
  });
});
