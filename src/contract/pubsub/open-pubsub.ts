// An instance's pub-sub over its Durable Object: deliveries to subscribers
// through the CONTRACTS namespace, the routes' PubSubApi, and the subscriber
// side's answers to other feeds (accept a delivery, report a depth).
import type { Clock } from "../../clock.js";
import { shmPubSub } from "../../namespaces/shm-pubsub.js";
import type { InstanceRpc } from "../../protocol/instance-rpc.js";
import type { DeliveryAck } from "../../protocol/pubsub-port.js";
import type { PubSubStore } from "../../store/shm/pubsub-store.js";
import type { OpenInstance } from "../open-instance.js";
import { FanOut } from "./fan-out.js";
import { PubSubApi } from "./pubsub-api.js";

export interface PubSubContext {
  instances: DurableObjectNamespace<InstanceRpc>;
  clock: Clock;
  opened: OpenInstance;
  wakeAt(ms: number): void;
}

export interface OpenPubSub {
  store(): PubSubStore;
  fanOut: FanOut;
  api(): PubSubApi;
}

/** Whether code importing `namespaces` may publish (null: an instance from before the list was kept). */
export function publishes(namespaces: readonly string[] | null): boolean {
  return namespaces === null || namespaces.includes(shmPubSub.name);
}

export function openPubSub(ctx: PubSubContext): OpenPubSub {
  const { opened, instances, clock } = ctx;
  const self = opened.instance.get()?.id ?? "";
  const store = () => opened.hosts.store(shmPubSub);
  const stub = (id: string) => instances.get(instances.idFromName(id));
  const fanOut = new FanOut({
    self,
    store,
    clock,
    wakeAt: ctx.wakeAt,
    deliver: async (subscriber, publisher, delivery) =>
      (await stub(subscriber).shmDeliver(publisher, delivery)) as DeliveryAck,
  });
  return {
    store,
    fanOut,
    api: () =>
      new PubSubApi({
        store: store(),
        now: () => clock.now(),
        depth: async (subscriber) => {
          try {
            return (await stub(subscriber).shmInboxDepth(self)) as number | null;
          } catch {
            return null;
          }
        },
      }),
  };
}
