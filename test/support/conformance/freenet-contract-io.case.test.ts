// Conformance of how a `run` input reaches the guest (README "Contracts: the
// Freenet ABI"), run against every host: a module importing
// freenet_contract_io gets a first buffer headed by [total_len u32] and
// refills of at most 64 KiB until the input ends; a module without it gets
// the whole input in one buffer. Guests: contracts/examples/work-journal (it
// answers the announced total when a request has the wrong length),
// contracts/examples/hash-map (a batch spanning many refills) and
// contracts/fixtures/storage-writer (no freenet_contract_io import).
import { describe, expect, it } from "vitest";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { itWhere } from "./where.js";
import type { ConformanceHost } from "./conformance-host.js";
import { concat, i32At, u64At } from "./guest-bytes.js";
import { decodeResults, encodeCommands, get, put, type HashMapCommand } from "./hash-map-requests.js";
import { okBody, rejection } from "./run-outcome.js";

/** The first buffer and each refill hold at most this much. */
const WINDOW = 64 * 1024;

/** A value of `length` bytes that tells its key apart (so a misplaced refill shows). */
const valueFor = (i: number, length: number) => `${i}:`.padEnd(length, String.fromCharCode(97 + (i % 26)));

export function freenetContractIoCases(host: ConformanceHost): void {
  describe(`freenet_contract_io on ${host.name}`, () => {
    it.each([
      [0, "empty request"],
      [1, "unknown op 9"],
      [WINDOW - 4, `op 3 takes 17 bytes, got ${WINDOW - 4}`],
      [WINDOW - 3, `op 3 takes 17 bytes, got ${WINDOW - 3}`],
      [3 * WINDOW + 7, `op 3 takes 17 bytes, got ${3 * WINDOW + 7}`],
    ])("a %i-byte input announces its length in the first buffer's header", async (length, message) => {
      const instance = await host.open("work-journal");
      const body = new Uint8Array(length);
      body[0] = length === 1 ? 9 : 3;
      expect(rejection(await instance.run(body))).toBe(message);
    });

    itWhere(host.reachesInstance)(
      "a batch spanning several refills reaches the guest whole and in order",
      async () => {
        const instance = await host.open("hash-map");
        const puts: HashMapCommand[] = Array.from({ length: 200 }, (_, i) =>
          put(`key-${i}`, valueFor(i, 1000)),
        );
        expect(encodeCommands(puts).length).toBeGreaterThan(3 * WINDOW);
        expect(decodeResults(puts, okBody(await instance.run(encodeCommands(puts))))).toEqual(
          puts.map(() => ({ op: "put", replaced: false })),
        );
        const gets = puts.map((command) => get(command.key));
        expect(decodeResults(gets, okBody(await instance.run(encodeCommands(gets))))).toEqual(
          puts.map((_, i) => ({ op: "get", value: valueFor(i, 1000) })),
        );
      },
    );

    itWhere(!host.reachesInstance)(
      "a batch spanning several refills reaches the guest, which stops at its first storage call (IO_ERROR without JSPI)",
      async () => {
        const instance = await host.open("hash-map");
        const puts = Array.from({ length: 200 }, (_, i) => put(`key-${i}`, valueFor(i, 1000)));
        expect(rejection(await instance.run(encodeCommands(puts)))).toMatch(/IO_ERROR \(-6\)$/);
      },
    );

    itWhere(host.reachesInstance)(
      "a module without freenet_contract_io gets the whole input in one buffer",
      async () => {
        const instance = await host.open("storage-writer");
        const payload = Uint8Array.from({ length: 3 * WINDOW + 5 }, (_, i) => (i * 7 + 3) & 255);
        const body = okBody(await instance.run(concat(Uint8Array.of(0), payload)));
        expect({ size: u64At(body, 0), status: i32At(body, 8) }).toEqual({
          size: BigInt(1_000_000 + payload.length),
          status: HostStatus.OK,
        });
        expect(await instance.storageBytes(1_000_000, payload.length)).toEqual(payload);
      },
    );
  });
}
