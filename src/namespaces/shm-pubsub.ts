// test:shm/pub-sub: every instance has a feed and an inbox (docs/memory-blocks.md).
// Sandbox half: src/guest-abi/shm/pubsub-imports.ts; DO half: the PubSubStore,
// whose commits record publications and consumption with the run. Delivery
// to subscribers comes after the commit (src/contract/pubsub/fan-out.ts).
import { bindPubSub } from "../guest-abi/shm/pubsub-imports.js";
import type { PubSubChanges, PubSubPort } from "../protocol/pubsub-port.js";
import { PubSubStore } from "../store/shm/pubsub-store.js";
import type { HostNamespace, InstanceContext } from "./host-namespace.js";

const portOf = (store: PubSubStore, instance: InstanceContext, txid?: string): PubSubPort => ({
  self: instance.identity().id,
  inbox: store.window(txid),
  nextSeq: store.nextSeq(txid),
});

/** Whether code importing `namespaces` uses pub-sub (null: an instance from before the list was kept). */
export function publishes(namespaces: readonly string[] | null): boolean {
  return namespaces === null || namespaces.includes("test:shm/pub-sub");
}

export const shmPubSub: HostNamespace<PubSubPort, PubSubChanges, PubSubStore> = {
  name: "test:shm/pub-sub",
  catalog: {
    "[constructor]publisher": { params: ["i32", "i32"], results: ["i32"] },
    "[method]publisher.allocate": { params: ["i32", "i32"], results: [] },
    "[method]publisher.publish": { params: ["i32", "i32"], results: [] },
    "[method]publisher.subscribers": { params: ["i32"], results: ["i32"] },
    "[method]publisher.get-stream": { params: ["i32"], results: ["i32"] },
    "[constructor]subscriber": { params: [], results: ["i32"] },
    "[static]subscriber.clone": { params: ["i32"], results: ["i32"] },
    "[static]subscriber.subscribe": { params: ["i32"], results: ["i32"] },
    "[static]subscriber.unsubscribe": { params: ["i32"], results: ["i32"] },
    "[method]subscriber.get-stream": { params: ["i32"], results: ["i32"] },
    "[method]block-stream.next": { params: ["i32", "i32"], results: [] },
    "[resource-drop]publisher": { params: ["i32"], results: [] },
    "[resource-drop]subscriber": { params: ["i32"], results: [] },
    "[resource-drop]block-stream": { params: ["i32"], results: [] },
  },
  bind: bindPubSub,
  host: {
    // Released blocks wait for the alarm, which reclaims their frames.
    open: ({ sql, clock, wakeAt }) => new PubSubStore(sql, clock, () => wakeAt(clock.now())),
    port: (store, instance) => portOf(store, instance),
    commit: (store, changes) => store.apply(changes),
    collect: (store) => {
      store.blocks.reclaim();
      const retries = [store.feed.nextRetry(), store.requests.nextRetry()].filter((at) => at !== null);
      return retries.length === 0 ? null : Math.min(...retries);
    },
    txn: {
      port: (store, instance, txid) => portOf(store, instance, txid),
      stage: (store, txid, path, changes) => store.stage(txid, path, changes),
      // A re-entrant frame's consumption and publishes, which the outer frame's reads must allow for.
      mark: (store) => store.mark(),
      changedSince: (store, txid, mark) => store.changedSince(txid, mark),
      discard: (store, txid, prefixes) => store.discard(txid, prefixes),
      apply: (store, txid) => store.applyStaged(txid),
      drop: (store, txid) => store.drop(txid),
    },
  },
};
