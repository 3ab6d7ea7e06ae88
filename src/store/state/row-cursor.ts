// Page reads of a pinned state blob for a contract execution. The guest
// refills 64 KiB frames but a blob's rows are 1 MiB (row-layout.ts), so the
// cursor keeps the last row it fetched: sequential refills cost one SELECT per
// row instead of sixteen, and no more than that one row is held.
import { EdgeError } from "../../errors.js";
import { RowLayout } from "./row-layout.js";
import type { StateTables } from "./state-tables.js";

/** A page read must lie inside the state (the sandbox asked for it: anything else is our bug). */
export function checkRange(size: number, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new EdgeError("INTERNAL", `page read [${offset}, +${length}) outside a ${size}-byte state`);
  }
}

/**
 * A pinned blob's rows for page reads, keeping the last one fetched: the
 * guest's next 64 KiB refill usually falls in it. Bounded to that one row.
 */
export class RowCursor {
  readonly #tables: StateTables;
  readonly #blobId: number;
  readonly #layout: RowLayout;
  #last: { index: number; row: Uint8Array } | null = null;

  constructor(tables: StateTables, blobId: number) {
    this.#tables = tables;
    this.#blobId = blobId;
    this.#layout = new RowLayout(tables.rowBytesOf(blobId));
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const layout = this.#layout;
    const { first, end } = layout.rowRange(offset, length);
    let from = first;
    if (from < end && this.#last?.index === from) {
      this.#copy(out, from, this.#last.row, offset, length);
      from++;
    }
    while (from < end) {
      const upto = Math.min(end, from + layout.rowsPerSelect);
      const rows = this.#tables.rows(this.#blobId, from, upto);
      for (const [i, row] of rows.entries()) this.#copy(out, from + i, row, offset, length);
      const last = rows.at(-1);
      if (last) this.#last = { index: upto - 1, row: last };
      from = upto;
    }
    return out;
  }

  forget(): void {
    this.#last = null;
  }

  #copy(out: Uint8Array, index: number, row: Uint8Array, offset: number, length: number): void {
    const span = this.#layout.rowSpan(index, offset, length);
    out.set(row.subarray(span.start, span.end), span.at);
  }
}
