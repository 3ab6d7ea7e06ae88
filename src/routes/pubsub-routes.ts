// Pub-sub over HTTP (README "Memory blocks and pub-sub"): a feed's
// subscriptions (create, list with sequence and queue depth, remove), its
// retained publications and their bytes, and an instance's inbox.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Env } from "../env.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import { jsonBody } from "../http/json-body.js";
import { nonNegativeInteger } from "../http/read-length.js";
import {
  binary,
  DescribedRoutes,
  errors,
  Id,
  idParams,
  Integer,
  json,
  jsonRequest,
  Timestamp,
  TOKEN,
} from "../http/openapi.js";
import type { PubSubApi } from "../contract/pubsub/pubsub-api.js";
import { instanceStub } from "./instance-stub.js";
import { publishes } from "../namespaces/shm-pubsub.js";

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

const text = { schema: { type: "string" as const } };
const seqParams = idParams.extend({ seq: Integer.meta({ description: "a sequence number, from 1" }) });
const entryBytes = (what: string) => ({
  ...binary(what),
  headers: { "x-sequence": { description: "its sequence number", ...text } },
});
const BASE_ERRORS = ["UNAUTHORIZED", "INVALID_ID", "CONTRACT_NOT_FOUND"] as const;

const Subscription = z.object({
  subscriber: Id,
  state: z.enum(["active", "queue_full", "unreachable"]),
  next: z.number().int().meta({ description: "the next sequence number it will be sent" }),
  pending: z.number().int().meta({ description: "publications committed but not yet in its inbox" }),
  queued: z
    .number()
    .int()
    .nullable()
    .meta({ description: "entries in its inbox not yet consumed (null: no answer)" }),
  missed: z.number().int(),
  error: z
    .object({ code: z.enum(["SUBSCRIBER_QUEUE_FULL", "SUBSCRIBER_UNREACHABLE"]), message: z.string() })
    .nullable(),
});

const subscribe = createRoute({
  method: "post",
  path: "/{id}/subscriptions",
  summary: "Subscribe an instance to what this one publishes",
  ...TOKEN,
  request: { params: idParams, ...jsonRequest(SubscribeBody, "The subscriber's instance id.") },
  responses: {
    200: json(Subscription.extend({ created: z.boolean() }), "it was subscribed already"),
    201: json(Subscription.extend({ created: z.boolean() }), "subscribed"),
    ...errors(...BASE_ERRORS, "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", "SUBSCRIPTION_LIMIT"),
  },
});

const listSubscriptions = createRoute({
  method: "get",
  path: "/{id}/subscriptions",
  summary: "The feed's subscribers, with their sequence and queue depth",
  ...TOKEN,
  request: { params: idParams },
  responses: {
    200: json(
      z.object({ next: z.number().int(), subscriptions: z.array(Subscription) }),
      "the subscriptions",
    ),
    ...errors(...BASE_ERRORS),
  },
});

const unsubscribe = createRoute({
  method: "delete",
  path: "/{id}/subscriptions/{subscriber}",
  summary: "Remove a subscription",
  ...TOKEN,
  request: { params: idParams.extend({ subscriber: Id }) },
  responses: { 204: { description: "removed" }, ...errors(...BASE_ERRORS, "SUBSCRIPTION_NOT_FOUND") },
});

const Feed = z.object({
  next: z.number().int(),
  retained: z.array(z.object({ seq: z.number().int(), size: z.number().int(), publishedAt: Timestamp })),
});

const getFeed = createRoute({
  method: "get",
  path: "/{id}/publications",
  summary: "The publications the feed retains (its last 64)",
  request: { params: idParams },
  responses: { 200: json(Feed, "the feed"), ...errors("INVALID_ID", "CONTRACT_NOT_FOUND") },
});

const getPublication = createRoute({
  method: "get",
  path: "/{id}/publications/{seq}",
  summary: "A retained publication's bytes",
  request: { params: seqParams },
  responses: {
    200: entryBytes("the publication"),
    ...errors("INVALID_ID", "BAD_REQUEST", "CONTRACT_NOT_FOUND", "PUBLICATION_NOT_FOUND"),
  },
});

const Inbox = z.object({
  entries: z.array(
    z.object({ publisher: Id, seq: z.number().int(), size: z.number().int(), missed: z.number().int() }),
  ),
  requests: z.array(
    z.object({
      publisher: Id,
      subscribe: z.boolean(),
      state: z.enum(["pending", "refused"]),
      error: z.string().nullable(),
    }),
  ),
});

const getInbox = createRoute({
  method: "get",
  path: "/{id}/inbox",
  summary: "An instance's inbox, oldest first, and the subscriptions it asked for",
  ...TOKEN,
  request: { params: idParams },
  responses: { 200: json(Inbox, "the inbox"), ...errors(...BASE_ERRORS) },
});

const getInboxEntry = createRoute({
  method: "get",
  path: "/{id}/inbox/{publisher}/{seq}",
  summary: "An inbox entry's bytes",
  ...TOKEN,
  request: { params: seqParams.extend({ publisher: Id }) },
  responses: {
    200: entryBytes("the entry"),
    ...errors(...BASE_ERRORS, "BAD_REQUEST", "PUBLICATION_NOT_FOUND"),
  },
});

export const pubsubRoutes = new DescribedRoutes()
  .openapi(subscribe, async (c) => {
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
  })
  .openapi(listSubscriptions, async (c) => {
    const { api } = await pubsubApi(c.env, c.req.param("id"));
    return c.json(unwrap(await api.subscriptions()), 200);
  })
  .openapi(unsubscribe, async (c) => {
    const { api } = await pubsubApi(c.env, c.req.param("id"));
    unwrap(await api.unsubscribe(instanceStub(c.env, c.req.param("subscriber")).id));
    return c.body(null, 204);
  })
  .openapi(getFeed, async (c) => {
    const { api } = await pubsubApi(c.env, c.req.param("id"));
    return c.json(unwrap(await api.feed()), 200);
  })
  .openapi(getPublication, async (c) => {
    const seq = seqOf(c.req.param("seq"));
    const { api } = await pubsubApi(c.env, c.req.param("id"));
    return bytes(unwrap(await api.publication(seq)), seq);
  })
  .openapi(getInbox, async (c) => {
    const { api } = await pubsubApi(c.env, c.req.param("id"));
    return c.json(unwrap(await api.inbox()), 200);
  })
  .openapi(getInboxEntry, async (c) => {
    const seq = seqOf(c.req.param("seq"));
    const publisher = instanceStub(c.env, c.req.param("publisher")).id;
    const { api } = await pubsubApi(c.env, c.req.param("id"));
    return bytes(unwrap(await api.inboxEntry(publisher, seq)), seq);
  });
