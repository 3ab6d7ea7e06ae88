// The hash-map example's command protocol (contracts/examples/hash-map/README.md),
// enough for the conformance suites to drive it: puts, gets and deletes of
// text keys, and the results they answer.
import { concat, text, utf8 } from "./guest-bytes.js";

export type HashMapCommand =
  | { op: "put"; key: string; value: string }
  | { op: "get"; key: string }
  | { op: "delete"; key: string };

export type HashMapResult =
  | { op: "put"; replaced: boolean }
  | { op: "get"; value: string | null }
  | { op: "delete"; deleted: boolean };

export const put = (key: string, value: string): HashMapCommand => ({ op: "put", key, value });
export const get = (key: string): HashMapCommand => ({ op: "get", key });
export const del = (key: string): HashMapCommand => ({ op: "delete", key });

export function encodeCommands(commands: readonly HashMapCommand[]): Uint8Array {
  return concat(
    ...commands.map((command) => {
      const key = text(command.key);
      const head = Uint8Array.of(command.op === "put" ? 1 : command.op === "get" ? 2 : 3, key.length);
      if (command.op !== "put") return concat(head, key);
      const value = text(command.value);
      return concat(head, key, Uint8Array.of(value.length & 255, value.length >> 8), value);
    }),
  );
}

export function decodeResults(commands: readonly HashMapCommand[], body: Uint8Array): HashMapResult[] {
  let at = 0;
  const results = commands.map((command): HashMapResult => {
    const flag = body[at++];
    if (command.op === "put") return { op: "put", replaced: flag === 1 };
    if (command.op === "delete") return { op: "delete", deleted: flag === 1 };
    const length = body[at]! | (body[at + 1]! << 8);
    at += 2 + length;
    return { op: "get", value: flag === 1 ? utf8(body.subarray(at - length, at)) : null };
  });
  if (at !== body.length) throw new Error(`${body.length - at} bytes left after the results`);
  return results;
}
