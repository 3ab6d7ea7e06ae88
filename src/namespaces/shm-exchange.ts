// test:shm/exchange: memory blocks (docs/memory-blocks.md). Sandbox half:
// src/guest-abi/shm/. A block lives in its execution; the DO half only hands
// a callee frame the blocks its caller passed, and takes back what goes up.
import { bindExchange } from "../guest-abi/shm/exchange-imports.js";
import type { BlockBytes, ExchangeChanges, ExchangePort } from "../protocol/block-port.js";
import type { NamespaceChanges } from "../protocol/sandbox-call.js";
import type { HostNamespace } from "./host-namespace.js";

const NAME = "test:shm/exchange";

export const shmExchange: HostNamespace<ExchangePort, ExchangeChanges, null> = {
  name: NAME,
  catalog: {
    "[constructor]memory-block": { params: ["i32"], results: ["i32"] },
    "[method]memory-block.clone": { params: ["i32"], results: ["i32"] },
    "[method]memory-block.attach": { params: ["i32", "i32", "i32"], results: [] },
    "[method]memory-block.detach": { params: ["i32", "i32"], results: [] },
    "[method]memory-block.minimum-size": { params: ["i32"], results: ["i32"] },
    "[static]memory-block.optimum-size": { params: ["i32", "i32"], results: ["i32"] },
    "[static]memory-block.add-storage": { params: ["i32", "i32", "i32"], results: [] },
    "[static]memory-block.create-local": { params: ["i32", "i32"], results: ["i32"] },
    "[method]memory-block.create-partition": { params: ["i32", "i32", "i32", "i32"], results: [] },
    "[resource-drop]memory-block": { params: ["i32"], results: [] },
    "[resource-drop]address": { params: ["i32"], results: [] },
  },
  bind: bindExchange,
  host: {
    open: () => null,
    port: (_store, _instance, frame) => ({ passed: frame?.blocks ?? [] }),
  },
};

/** A callee frame's changes without the blocks that go back to its caller, and those blocks. */
export function takeReturnedBlocks(changes: NamespaceChanges): {
  staged: NamespaceChanges;
  blocks: Array<BlockBytes | null> | undefined;
} {
  const { [NAME]: back, ...staged } = changes;
  return { staged, blocks: (back as ExchangeChanges | undefined)?.returned };
}
