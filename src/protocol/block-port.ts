// What crosses between the test:shm imports (sandbox) and the Durable Objects
// for blocks passed in a contract call: the bytes travel by value with the
// call and come back with its answer (docs/memory-blocks.md). Types only.

/** How a block goes with a call (edge_call `call_blocks`): 0 borrow, 1 transfer. */
export type PassMode = "borrow" | "transfer";

/** A block's bytes and valid range as they travel (a windowed handle travels as its window). */
export interface BlockBytes {
  bytes: Uint8Array;
  start: number;
  end: number;
}

export interface PassedBlock extends BlockBytes {
  mode: PassMode;
  readOnly: boolean;
}

/** The exchange namespace's port: what a caller passed this frame. */
export interface ExchangePort {
  passed: PassedBlock[];
}

/** What a callee frame hands back to its caller: each borrowed block as it left it (null: transferred). */
export interface ExchangeChanges {
  returned: Array<BlockBytes | null>;
}
