// Byte-level views of an instance's linear storage for node tests, through
// the production LinearStorageTables: read a committed range, seed a layout
// as if an earlier call had committed it, and snapshot every stored frame.
import { FRAME_BYTES } from "../../../src/limits.js";
import { frameSpans } from "../../../src/protocol/frame-span.js";
import type { SqlPort } from "../../../src/store/sql/sql-port.js";
import type { LinearStorageTables } from "../../../src/store/linear-storage/linear-storage-tables.js";

/** Committed bytes of [offset, offset + length), holes as zeros. */
export function peek(store: LinearStorageTables, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of store.range(offset, length)) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** Commits `bytes` at `offset` as a call's write-back would (frames and size), to seed a layout. */
export function poke(sql: SqlPort, store: LinearStorageTables, offset: number, bytes: Uint8Array): void {
  const spans = [...frameSpans(offset, bytes.length)];
  const frames = store.frames(spans.map((span) => span.index));
  const writes = spans.map((span, i) => {
    const frame = frames[i]?.slice() ?? new Uint8Array(FRAME_BYTES);
    frame.set(bytes.subarray(span.at, span.at + span.end - span.start), span.start);
    return { index: span.index, bytes: frame };
  });
  sql.transaction(() => store.apply(writes, Math.max(store.size(), offset + bytes.length)));
}

/** Every stored frame by index (the tables list none, so the indices come from their SQL). */
export function storedFrames(sql: SqlPort, store: LinearStorageTables): Map<number, Uint8Array> {
  const indices = sql
    .exec<{ idx: number }>("SELECT idx FROM storage_frames ORDER BY idx")
    .map((row) => Number(row.idx));
  const frames = store.frames(indices);
  return new Map(indices.map((index, i) => [index, frames[i]!.slice()]));
}
