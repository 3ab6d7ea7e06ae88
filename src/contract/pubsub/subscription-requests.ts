// Subscriptions a contract asked for (subscriber.subscribe) go to the
// publisher's DO after the run committed them; one that fails to arrive is
// retried by the alarm, one the publisher refuses is kept with its reason.
import type { Clock } from "../../clock.js";
import { DELIVERY_RETRY_MS } from "../../limits.js";
import type { SubscribeAnswer } from "../../protocol/pubsub-port.js";
import type { PubSubStore } from "../../store/shm/pubsub-store.js";

export interface RequestPorts {
  self: string;
  store: () => PubSubStore;
  clock: Clock;
  /** Asks the publisher's DO to (un)subscribe `subscriber`. */
  send(publisher: string, subscriber: string, subscribe: boolean): Promise<SubscribeAnswer>;
  wakeAt(ms: number): void;
}

export async function sendRequests(ports: RequestPorts): Promise<void> {
  const { requests } = ports.store();
  for (const request of requests.pending()) {
    let answer: SubscribeAnswer;
    try {
      answer = await ports.send(request.publisher, ports.self, request.subscribe);
    } catch {
      const at = ports.clock.now() + DELIVERY_RETRY_MS;
      requests.retryAt(request, at);
      ports.wakeAt(at);
      continue;
    }
    if (answer.ok) requests.done(request);
    else requests.refuse(request, answer.code);
  }
}
