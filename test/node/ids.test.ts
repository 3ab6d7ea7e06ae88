import { base58 } from "@scure/base";
import { blake3 } from "@noble/hashes/blake3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgeError } from "../../src/errors.js";
import { codeHashOf, encodeId, instanceIdOf, parseId } from "../../src/identity/ids.js";
import { newHasher } from "./support/hasher.js";

describe("ids", () => {
  it("round trips any 32-byte id through base58", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        expect(parseId(encodeId(bytes))).toEqual(bytes);
      }),
    );
  });

  it("derives code hash and instance id with BLAKE3 as Freenet does", () => {
    const wasm = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
    const params = Uint8Array.of(1, 2, 3);
    const codeHash = codeHashOf(newHasher, wasm);
    expect(codeHash).toEqual(blake3(wasm));
    const joined = new Uint8Array([...codeHash, ...params]);
    expect(instanceIdOf(newHasher, codeHash, params)).toEqual(blake3(joined));
  });

  it.each([
    ["empty", ""],
    ["not base58", "0OIl".repeat(10)],
    ["too short", base58.encode(new Uint8Array(31).fill(7))],
    ["too long", base58.encode(new Uint8Array(33).fill(7))],
    ["absurdly long", "1".repeat(500)],
  ])("rejects %s ids with INVALID_ID", (_, text) => {
    const error = (() => {
      try {
        parseId(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EdgeError);
    expect((error as EdgeError).code).toBe("INVALID_ID");
    expect((error as EdgeError).status).toBe(400);
  });
});
