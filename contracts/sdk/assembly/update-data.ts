// Streaming decoders for the bincode third arguments: `Vec<UpdateData>`
// (update_state) and `RelatedContracts` (validate_state). Payloads are not
// copied: each state/delta is exposed as a "part" the contract reads from the
// stream itself; whatever it leaves unread is skipped before the next part.
import { InputStream } from "./input-stream";
import { CONTRACT_ID_BYTES } from "./results";

/** UpdateData variant tags (update.rs). */
export const enum UpdateKind {
  State = 0,
  Delta = 1,
  StateAndDelta = 2,
  RelatedState = 3,
  RelatedDelta = 4,
  RelatedStateAndDelta = 5,
}

/** Which payload of the current item the stream is positioned in. */
export const enum Part {
  None = 0,
  State = 1,
  Delta = 2,
}

/** Reads a bincode byte-field length and checks it fits in what the stream has left. */
function readLength(stream: InputStream): i64 {
  const len = stream.readU64();
  if (!stream.ok) return -1;
  if (len > <u64>stream.remaining()) return -2;
  return <i64>len;
}

function lengthError(code: i64): string {
  return code == -1 ? "unexpected end of input" : "byte length overruns the input";
}

/** Shared part bookkeeping: skip what the contract did not read. */
class PartCursor {
  readonly stream: InputStream;
  /** Set once decoding failed; the message is meant for a Deser error. */
  error: string | null = null;
  /** Length of the current part (state, delta or related state). */
  partLength: u32 = 0;
  private partEnd: u32 = 0;

  constructor(stream: InputStream) {
    this.stream = stream;
    this.partEnd = stream.position;
  }

  /** Bytes of the current part not yet consumed. */
  partRemaining(): u32 {
    const at = this.stream.position;
    return at < this.partEnd ? this.partEnd - at : 0;
  }

  protected fail(message: string): bool {
    if (this.error === null) this.error = this.stream.truncated ? "input truncated by the host" : message;
    return false;
  }

  protected closePart(): bool {
    if (this.error !== null) return false;
    if (this.stream.position > this.partEnd) return this.fail("contract read past the end of a payload");
    if (!this.stream.skip(this.partEnd - this.stream.position)) return this.fail("unexpected end of input");
    return true;
  }

  /** Marks the stream position as the end of an empty part (after headers the decoder read itself). */
  protected noPart(): void {
    this.partLength = 0;
    this.partEnd = this.stream.position;
  }

  protected openPart(): bool {
    const len = readLength(this.stream);
    if (len < 0) return this.fail(lengthError(len));
    this.partLength = <u32>len;
    this.partEnd = this.stream.position + <u32>len;
    return true;
  }
}

/**
 * Iterates `Vec<UpdateData>`:
 *   while (updates.next()) { ... updates.kind ... while ((p = updates.nextPart()) != Part.None) read partLength bytes }
 * then check `updates.error` (null when the whole vector decoded).
 */
export class UpdateDataReader extends PartCursor {
  readonly count: u64;
  index: u64 = 0;
  /** UpdateKind of the current item. */
  kind: i32 = -1;
  /** The 32-byte related contract id of Related* items. */
  readonly relatedTo: usize;
  private pendingState: bool = false;
  private pendingDelta: bool = false;

  constructor(stream: InputStream) {
    super(stream);
    this.relatedTo = heap.alloc(CONTRACT_ID_BYTES);
    this.count = stream.readU64();
    if (!stream.ok) this.fail("unexpected end of input");
    this.noPart();
  }

  /** Moves to the next item; false at the end of the vector or on a decoding error. */
  next(): bool {
    while (this.nextPart() != Part.None) {}
    if (this.error !== null || this.index >= this.count) return false;
    const tag = this.stream.readU32();
    if (!this.stream.ok) return this.fail("unexpected end of input");
    if (tag > <u32>UpdateKind.RelatedStateAndDelta) return this.fail("unknown UpdateData variant " + tag.toString());
    if (tag >= <u32>UpdateKind.RelatedState && !this.stream.readExact(this.relatedTo, CONTRACT_ID_BYTES)) {
      return this.fail("unexpected end of input");
    }
    this.kind = <i32>tag;
    this.noPart();
    this.pendingState = tag == UpdateKind.State || tag == UpdateKind.StateAndDelta || tag == UpdateKind.RelatedState || tag == UpdateKind.RelatedStateAndDelta;
    this.pendingDelta = tag == UpdateKind.Delta || tag == UpdateKind.StateAndDelta || tag == UpdateKind.RelatedDelta || tag == UpdateKind.RelatedStateAndDelta;
    this.index++;
    return true;
  }

  /** Opens the item's next payload (state before delta) and sets `partLength`; Part.None when none is left. */
  nextPart(): Part {
    if (!this.closePart()) return Part.None;
    if (this.pendingState) {
      this.pendingState = false;
      return this.openPart() ? Part.State : Part.None;
    }
    if (this.pendingDelta) {
      this.pendingDelta = false;
      return this.openPart() ? Part.Delta : Part.None;
    }
    return Part.None;
  }
}

/**
 * Iterates `RelatedContracts` (a map from contract id to Option<State>):
 * after next(), `id` holds the 32-byte id and, if `hasState`, the state is the
 * current part (`partLength` bytes on the stream).
 */
export class RelatedContractsReader extends PartCursor {
  readonly count: u64;
  index: u64 = 0;
  readonly id: usize;
  hasState: bool = false;

  constructor(stream: InputStream) {
    super(stream);
    this.id = heap.alloc(CONTRACT_ID_BYTES);
    this.count = stream.readU64();
    if (!stream.ok) this.fail("unexpected end of input");
    this.noPart();
  }

  next(): bool {
    if (!this.closePart() || this.index >= this.count) return false;
    if (!this.stream.readExact(this.id, CONTRACT_ID_BYTES)) return this.fail("unexpected end of input");
    const some = this.stream.readU8();
    if (!this.stream.ok) return this.fail("unexpected end of input");
    if (some > 1) return this.fail("invalid Option tag " + some.toString());
    this.hasState = some == 1;
    this.noPart();
    if (this.hasState && !this.openPart()) return false;
    this.index++;
    return true;
  }

  /** Decodes and discards every entry; true if the map was well-formed. */
  skipAll(): bool {
    while (this.next()) {}
    return this.error === null;
  }
}
