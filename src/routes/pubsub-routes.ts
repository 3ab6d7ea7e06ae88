// Pub-sub over HTTP (README "Memory blocks and pub-sub"): a feed's
// subscriptions (create, list with sequence and queue depth, remove), its
// retained publications and their bytes, and an instance's inbox.
import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import { jsonBody } from "../http/json-body.js";
import { nonNegativeInteger } from "../http/read-length.js";
import type { PubSubApi } from "../contract/pubsub/pubsub-api.js";
import { instanceStub } from "./instance-stub.js";
import { publishes } from "../namespaces/shm-pubsub.js";

export const pubsubRoutes = new Hono<{ Bindings: Env }>();

async function pubsubApi(env: Env, id: string): Promise<{ id: string; api: PubSubApi }> {
  const { id: canonical, stub } = instanceStub(env, id);
  return { id: canonical, api: unwrap((await stub.pubsub()) as unknown as Outcome<PubSubApi>) };
}

function bytes(body: Uint8Array, seq: number): Response {
  return new Response(body, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(body.length),
      "x-sequence": String(seq),
    },
  });
}

const seqOf = (text: string) => {
  const seq = nonNegativeInteger("seq", text, 0);
  if (seq < 1) throw new EdgeError("BAD_REQUEST", "sequence numbers start at 1", { details: { seq: text } });
  return seq;
};

const SubscribeBody = z.object({ subscriber: z.string().min(1).max(64) }).strict();

pubsubRoutes.post("/:id/subscriptions", async (c) => {
  const { subscriber } = await jsonBody(c.req, SubscribeBody, '{"subscriber": "<instance id>"}');
  const target = instanceStub(c.env, subscriber);
  // The subscriber must be an instance whose code can read its inbox (it lives in its DO).
  const record = unwrap(await target.stub.describe()) as { namespaces: string[] | null };
  if (!publishes(record.namespaces)) {
    throw new EdgeError(
      "BAD_REQUEST",
      "the subscriber's code does not import test:shm/pub-sub: it could never read its inbox",
      {
        details: { subscriber: target.id },
      },
    );
  }
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  const info = unwrap(await api.subscribe(target.id));
  return c.json(info, info.created ? 201 : 200);
});

pubsubRoutes.get("/:id/subscriptions", async (c) => {
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  return c.json(unwrap(await api.subscriptions()));
});

pubsubRoutes.delete("/:id/subscriptions/:subscriber", async (c) => {
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  unwrap(await api.unsubscribe(instanceStub(c.env, c.req.param("subscriber")).id));
  return c.body(null, 204);
});

pubsubRoutes.get("/:id/publications", async (c) => {
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  return c.json(unwrap(await api.feed()));
});

pubsubRoutes.get("/:id/publications/:seq", async (c) => {
  const seq = seqOf(c.req.param("seq"));
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  return bytes(unwrap(await api.publication(seq)), seq);
});

pubsubRoutes.get("/:id/inbox", async (c) => {
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  return c.json(unwrap(await api.inbox()));
});

pubsubRoutes.get("/:id/inbox/:publisher/:seq", async (c) => {
  const seq = seqOf(c.req.param("seq"));
  const publisher = instanceStub(c.env, c.req.param("publisher")).id;
  const { api } = await pubsubApi(c.env, c.req.param("id"));
  return bytes(unwrap(await api.inboxEntry(publisher, seq)), seq);
});
