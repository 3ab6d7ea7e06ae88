// bincode 1.x with default options (fixint little-endian, u64 lengths, u32 enum
// tags), for the freenet-stdlib types that cross the contract ABI. Layouts
// follow freenet-stdlib's serde derives; see test/node/freenet-bincode.test.ts.
import { EdgeError } from "../errors.js";

export const INSTANCE_ID_BYTES = 32;

export type ContractErrorValue =
  | { variant: "Deser"; message: string }
  | { variant: "InvalidUpdate" }
  | { variant: "InvalidUpdateWithInfo"; reason: string }
  | { variant: "InvalidState" }
  | { variant: "InvalidDelta" }
  | { variant: "Other"; message: string };

export type ValidateResult =
  | { kind: "valid" }
  | { kind: "invalid" }
  | { kind: "requestRelated"; ids: Uint8Array[] };

export type RelatedMode = "StateOnce" | "StateThenSubscribe";

export interface UpdateModification {
  /** A view into guest memory when decoded from a result. */
  newState: Uint8Array | null;
  related: Array<{ id: Uint8Array; mode: RelatedMode }>;
}

export type UpdateData =
  | { kind: "State"; state: Uint8Array }
  | { kind: "Delta"; delta: Uint8Array }
  | { kind: "StateAndDelta"; state: Uint8Array; delta: Uint8Array }
  | { kind: "RelatedState"; relatedTo: Uint8Array; state: Uint8Array }
  | { kind: "RelatedDelta"; relatedTo: Uint8Array; delta: Uint8Array }
  | { kind: "RelatedStateAndDelta"; relatedTo: Uint8Array; state: Uint8Array; delta: Uint8Array };

export type BincodeResult<T> = { ok: true; value: T } | { ok: false; error: ContractErrorValue };

const ERROR_VARIANTS = [
  "Deser",
  "InvalidUpdate",
  "InvalidUpdateWithInfo",
  "InvalidState",
  "InvalidDelta",
  "Other",
];
const UPDATE_TAGS = [
  "State",
  "Delta",
  "StateAndDelta",
  "RelatedState",
  "RelatedDelta",
  "RelatedStateAndDelta",
];

function malformed(message: string): EdgeError {
  return new EdgeError("CONTRACT_FAULT", `malformed contract result: ${message}`);
}

export class BincodeReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(n: number): number {
    if (this.#at + n > this.#bytes.length) throw malformed(`needs ${n} bytes at offset ${this.#at}`);
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.#bytes[this.#need(1)] as number;
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4), true);
  }

  /** A u64 used as a length or count: must fit what remains. */
  length(): number {
    const at = this.#need(8);
    const value = this.#view.getBigUint64(at, true);
    if (value > BigInt(this.#bytes.length - this.#at))
      throw malformed(`length ${value} at offset ${at} overruns`);
    return Number(value);
  }

  bytes(): Uint8Array {
    const n = this.length();
    const at = this.#need(n);
    return this.#bytes.subarray(at, at + n);
  }

  fixed(n: number): Uint8Array {
    const at = this.#need(n);
    return this.#bytes.subarray(at, at + n);
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  bool(): boolean {
    const value = this.u8();
    if (value > 1) throw malformed(`bool byte ${value}`);
    return value === 1;
  }
}

export function decodeContractError(reader: BincodeReader): ContractErrorValue {
  const tag = reader.u32();
  switch (ERROR_VARIANTS[tag]) {
    case "Deser":
      return { variant: "Deser", message: reader.string() };
    case "InvalidUpdate":
      return { variant: "InvalidUpdate" };
    case "InvalidUpdateWithInfo":
      return { variant: "InvalidUpdateWithInfo", reason: reader.string() };
    case "InvalidState":
      return { variant: "InvalidState" };
    case "InvalidDelta":
      return { variant: "InvalidDelta" };
    case "Other":
      return { variant: "Other", message: reader.string() };
    default:
      throw malformed(`unknown ContractError variant ${tag}`);
  }
}

/** Decodes `Result<T, ContractError>`; an Err decodes the same whatever T is. */
export function decodeResult<T>(bytes: Uint8Array, ok: (reader: BincodeReader) => T): BincodeResult<T> {
  const reader = new BincodeReader(bytes);
  const tag = reader.u32();
  if (tag === 0) return { ok: true, value: ok(reader) };
  if (tag === 1) return { ok: false, error: decodeContractError(reader) };
  throw malformed(`Result tag ${tag}`);
}

export function decodeValidateResult(reader: BincodeReader): ValidateResult {
  const tag = reader.u32();
  if (tag === 0) return { kind: "valid" };
  if (tag === 1) return { kind: "invalid" };
  if (tag !== 2) throw malformed(`unknown ValidateResult variant ${tag}`);
  const count = reader.length();
  const ids: Uint8Array[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.fixed(INSTANCE_ID_BYTES));
  return { kind: "requestRelated", ids };
}

export function decodeUpdateModification(reader: BincodeReader): UpdateModification {
  const newState = reader.bool() ? reader.bytes() : null;
  const count = reader.length();
  const related: UpdateModification["related"] = [];
  for (let i = 0; i < count; i++) {
    const id = reader.fixed(INSTANCE_ID_BYTES);
    const mode = reader.u32();
    if (mode > 1) throw malformed(`unknown RelatedMode ${mode}`);
    related.push({ id, mode: mode === 0 ? "StateOnce" : "StateThenSubscribe" });
  }
  return { newState, related };
}

/** StateSummary / StateDelta: a newtype over bytes. */
export function decodeBytes(reader: BincodeReader): Uint8Array {
  return reader.bytes();
}

export class BincodeWriter {
  #parts: Uint8Array[] = [];
  #size = 0;

  #push(part: Uint8Array): this {
    this.#parts.push(part);
    this.#size += part.length;
    return this;
  }

  u8(value: number): this {
    return this.#push(Uint8Array.of(value));
  }

  u32(value: number): this {
    const part = new Uint8Array(4);
    new DataView(part.buffer).setUint32(0, value, true);
    return this.#push(part);
  }

  u64(value: number): this {
    const part = new Uint8Array(8);
    new DataView(part.buffer).setBigUint64(0, BigInt(value), true);
    return this.#push(part);
  }

  bytes(value: Uint8Array): this {
    return this.u64(value.length).#push(value);
  }

  fixed(value: Uint8Array, length: number): this {
    if (value.length !== length)
      throw new EdgeError("BAD_REQUEST", `expected ${length} bytes, got ${value.length}`);
    return this.#push(value);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/** `RelatedContracts { map: HashMap<ContractInstanceId, Option<State>> }`. */
export function encodeRelatedContracts(entries: ReadonlyArray<[Uint8Array, Uint8Array | null]>): Uint8Array {
  const writer = new BincodeWriter().u64(entries.length);
  for (const [id, state] of entries) {
    writer.fixed(id, INSTANCE_ID_BYTES);
    if (state === null) writer.u8(0);
    else writer.u8(1).bytes(state);
  }
  return writer.finish();
}

/** `Vec<UpdateData>`. */
export function encodeUpdateData(updates: readonly UpdateData[]): Uint8Array {
  const writer = new BincodeWriter().u64(updates.length);
  for (const update of updates) {
    writer.u32(UPDATE_TAGS.indexOf(update.kind));
    if ("relatedTo" in update) writer.fixed(update.relatedTo, INSTANCE_ID_BYTES);
    if ("state" in update) writer.bytes(update.state);
    if ("delta" in update) writer.bytes(update.delta);
  }
  return writer.finish();
}
