// An instance's pub-sub over its Durable Object: deliveries to subscribers
// through the CONTRACTS namespace, the routes' PubSubApi, and the subscriber
// side's answers to other feeds (accept a delivery, report a depth).
import type { Clock } from "../../clock.js";
import { publishes, shmPubSub } from "../../namespaces/shm-pubsub.js";
import type { InstanceRpc } from "../../protocol/instance-rpc.js";
import type { DeliveryAck, SubscribeAnswer } from "../../protocol/pubsub-port.js";
import { EdgeError } from "../../errors.js";
import { sendRequests } from "./subscription-requests.js";
import { DELIVERY_RETRY_MS } from "../../limits.js";
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
  /** After a commit: deliver what the feed owes its subscribers, send the subscriptions the inbox asked for. */
  afterCommit(): Promise<void>;
  api(): PubSubApi;
  /** A subscriber's request reaching this feed. */
  subscribe(subscriber: string, subscribe: boolean): SubscribeAnswer;
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
  const requestPorts = {
    self,
    store,
    clock,
    wakeAt: ctx.wakeAt,
    send: async (publisher: string, subscriber: string, subscribe: boolean) =>
      (await stub(publisher).shmSubscribe(subscriber, subscribe)) as SubscribeAnswer,
  };
  return {
    store,
    afterCommit: async () => {
      if (!publishes(opened.instance.get()?.namespaces ?? [])) return;
      try {
        await fanOut.run();
        await sendRequests(requestPorts);
      } catch {
        // The run has committed whatever happens here: the alarm tries again.
        ctx.wakeAt(clock.now() + DELIVERY_RETRY_MS);
      }
    },
    subscribe: (subscriber, subscribe) => {
      const { feed } = store();
      if (!subscribe) {
        feed.unsubscribe(subscriber);
        return { ok: true };
      }
      try {
        feed.subscribe(subscriber, clock.now());
        return { ok: true };
      } catch (error) {
        if (error instanceof EdgeError && error.code === "SUBSCRIPTION_LIMIT")
          return { ok: false, code: error.code };
        throw error;
      }
    },
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
