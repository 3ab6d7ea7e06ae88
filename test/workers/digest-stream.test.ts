// What the state digest relies on in workerd's crypto.DigestStream: writes may
// be queued without awaiting each one, and a written buffer is not detached
// (the same row buffer goes on to SQL after it is hashed).
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { patterned } from "../support/bytes.js";

describe("crypto.DigestStream in workerd", () => {
  it("accepts unawaited writes in order and leaves each written buffer intact", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => patterned(64 * 1024 + i * 977, i));
    const stream = new crypto.DigestStream("SHA-256");
    const writer = stream.getWriter();
    const writes = rows.map((row) => writer.write(row));
    for (const [i, row] of rows.entries()) {
      expect(row.byteLength).toBe(64 * 1024 + i * 977);
      expect(row.buffer.byteLength).toBeGreaterThan(0);
    }
    await writer.close();
    await Promise.all(writes);
    const digest = new Uint8Array(await stream.digest);
    const whole = new Uint8Array(rows.reduce((n, row) => n + row.length, 0));
    rows.reduce((at, row) => (whole.set(row, at), at + row.length), 0);
    expect(digest).toEqual(sha256(whole));
  });

  it("hashes a buffer's bytes as they were at write(), so unawaited writes need no copy", async () => {
    const row = patterned(1024 * 1024, 3);
    const copy = row.slice();
    const stream = new crypto.DigestStream("SHA-256");
    const writer = stream.getWriter();
    const write = writer.write(row);
    row.fill(0);
    await writer.close();
    await write;
    expect(new Uint8Array(await stream.digest)).toEqual(sha256(copy));
  });
});
