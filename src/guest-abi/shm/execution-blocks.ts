// One execution's blocks as every namespace sees them (GuestCall.blocks):
// the table, and the blocks that travel with contract calls. A call takes
// its blocks out by value; a success brings borrowed ones back as the callee
// left them, a failure leaves the caller as it was (transfers undone).
import { MAX_CALL_BLOCK_BYTES, MAX_CALL_BLOCKS } from "../../limits.js";
import type { BlockBytes, PassMode, PassedBlock } from "../../protocol/block-port.js";
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import { BlockTable, type BlockHandleEntry, type BlockMemory } from "./block-table.js";

export interface BlockPass {
  handle: number;
  mode: PassMode;
}

/** An outgoing call's blocks, until its reply says what became of them. */
export interface Sending {
  passed: PassedBlock[];
  /** After the reply: borrowed blocks take back what came, transfers end (ok) or are undone. */
  settle(ok: boolean, returned: ReadonlyArray<BlockBytes | null> | undefined): void;
}

export class ExecutionBlocks {
  readonly table: BlockTable;
  /** Handles of the blocks this frame's caller passed, in order. */
  readonly #received: number[] = [];
  readonly #receivedBlocks: Array<{ entry: BlockHandleEntry; mode: PassMode }> = [];

  constructor(memory: () => BlockMemory) {
    this.table = new BlockTable(memory);
  }

  /** The blocks a caller passed this frame become handles (in order). */
  receive(passed: readonly PassedBlock[]): void {
    for (const block of passed) {
      const handle = this.table.adopt(
        { bytes: block.bytes, start: block.start, end: block.end },
        block.readOnly,
        block.mode === "borrow",
      );
      this.#received.push(handle);
      const entry = this.table.entry(handle);
      if (entry) this.#receivedBlocks.push({ entry, mode: block.mode });
    }
  }

  /** The handle of the `index`-th passed block, or NOT_FOUND. */
  receivedHandle(index: number): number {
    return this.#received[index] ?? HostStatus.NOT_FOUND;
  }

  /** What goes back to the caller: borrowed blocks as this frame leaves them (none passed: undefined). */
  returned(): Array<BlockBytes | null> | undefined {
    if (this.#receivedBlocks.length === 0) return undefined;
    return this.#receivedBlocks.map(({ entry, mode }) =>
      // The whole block goes back, whatever window the callee narrowed its handle to.
      mode === "borrow" ? this.table.snapshotOf({ ...entry, window: null }) : null,
    );
  }

  /** Takes the blocks of an outgoing call, or the status that refuses the call (nothing taken then). */
  send(passes: readonly BlockPass[]): Sending | HostStatusCode {
    if (passes.length > MAX_CALL_BLOCKS) return HostStatus.CALL_LIMIT;
    const blocks = new Set<object>();
    let bytes = 0;
    for (const { handle, mode } of passes) {
      const info = this.table.describe(handle);
      if (!info || blocks.has(info.block)) return HostStatus.INVALID_ARGUMENT;
      blocks.add(info.block);
      if (info.attached) return HostStatus.BUSY;
      // A transfer hands over the only handle; what was borrowed goes back to its owner, never on.
      if (mode === "transfer" && (info.handles !== 1 || info.borrowed)) return HostStatus.INVALID_ARGUMENT;
      bytes += this.table.minimumSize(handle);
    }
    if (bytes > MAX_CALL_BLOCK_BYTES) return HostStatus.CALL_LIMIT;
    const passed = passes.map(({ handle, mode }) => this.table.passed(handle, mode));
    const taken = new Map<number, BlockHandleEntry>();
    for (const { handle, mode } of passes)
      if (mode === "transfer") taken.set(handle, this.table.take(handle));
    return {
      passed,
      settle: (ok, returned) => {
        for (const [handle, entry] of taken) {
          if (ok) this.table.forget(entry);
          else this.table.put(handle, entry);
        }
        if (!ok || !returned) return;
        passes.forEach(({ handle, mode }, index) => {
          const back = returned[index];
          if (mode === "borrow" && back) this.table.restore(handle, back);
        });
      },
    };
  }
}
