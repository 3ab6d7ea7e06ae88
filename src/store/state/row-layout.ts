// Where a state's bytes sit in its SQLite rows. The guest reads 64 KiB frames
// (src/protocol/frame-span.ts), but SQLite writes large rows far faster, so a
// blob keeps `rowBytes` per row: ROW_BYTES for new blobs, FRAME_BYTES for the
// blobs written before rows grew (state_blobs.row_bytes says which). Every
// offset-to-row computation of the state store goes through here.
import { FRAME_BYTES, READ_BATCH_BYTES, ROW_BYTES } from "../../limits.js";

/** The row size of every blob written before state_blobs had a row_bytes column. */
export const LEGACY_ROW_BYTES = FRAME_BYTES;

/** One row's share of a byte range, as frameSpan is for frames. */
export interface RowSpan {
  /** The covered part of the row, [start, end), in row coordinates. */
  start: number;
  end: number;
  /** Where that part lies in the range: its offset from the range's first byte. */
  at: number;
}

export class RowLayout {
  readonly rowBytes: number;

  constructor(rowBytes: number = ROW_BYTES) {
    if (!Number.isSafeInteger(rowBytes) || rowBytes <= 0 || rowBytes % FRAME_BYTES !== 0) {
      throw new RangeError(
        `a state row must be a positive multiple of ${FRAME_BYTES} bytes, got ${rowBytes}`,
      );
    }
    this.rowBytes = rowBytes;
  }

  /** Rows one SELECT fetches: READ_BATCH_BYTES of them, at least one. */
  get rowsPerSelect(): number {
    return Math.max(1, Math.floor(READ_BATCH_BYTES / this.rowBytes));
  }

  /** The rows [first, end) that [offset, offset + length) touches; empty (first === end) when length is 0. */
  rowRange(offset: number, length: number): { first: number; end: number } {
    const first = Math.floor(offset / this.rowBytes);
    if (length <= 0) return { first, end: first };
    return { first, end: Math.floor((offset + length - 1) / this.rowBytes) + 1 };
  }

  /** The part of row `index` that [offset, offset + length) covers (index within rowRange). */
  rowSpan(index: number, offset: number, length: number): RowSpan {
    const base = index * this.rowBytes;
    const start = Math.max(0, offset - base);
    const end = Math.min(this.rowBytes, offset + length - base);
    return { start, end, at: base + start - offset };
  }
}
