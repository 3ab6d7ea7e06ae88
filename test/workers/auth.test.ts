import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { BASE, contractWasm, errorOf } from "./support/api.js";

// The real app and bindings, with the API_TOKEN secret set.
async function call(request: Request, token: string | null = "s3cret-token") {
  const ctx = createExecutionContext();
  const bindings = token === null ? { ...env, API_TOKEN: undefined } : { ...env, API_TOKEN: token };
  const response = await worker.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const putCode = (headers: HeadersInit = {}) =>
  new Request(`${BASE}/v1/code`, { method: "PUT", body: contractWasm("counter"), headers });

describe("bearer token on mutating routes", () => {
  it("refuses writes without a token", async () => {
    const response = await call(putCode());
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await errorOf(response)).code).toBe("UNAUTHORIZED");
  });

  it("refuses a wrong token", async () => {
    const response = await call(putCode({ authorization: "Bearer s3cret-tokeN" }));
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe("UNAUTHORIZED");
  });

  it("accepts the right token", async () => {
    const response = await call(putCode({ authorization: "Bearer s3cret-token" }));
    expect(response.status).toBeLessThan(300);
  });

  it("leaves reads open", async () => {
    const response = await call(new Request(`${BASE}/v1/code/11111111111111111111111111111111`));
    expect(response.status).toBe(404);
  });

  it("needs no token when API_TOKEN is unset", async () => {
    const response = await call(putCode(), null);
    expect(response.status).toBeLessThan(300);
  });
});

describe("the read policy (API_TOKEN set)", () => {
  const get = (path: string, headers: HeadersInit = {}) => new Request(`${BASE}${path}`, { headers });
  const id = "11111111111111111111111111111111";

  it("answers Authorization: Basic with 401 and WWW-Authenticate: Bearer", async () => {
    const response = await call(putCode({ authorization: "Basic dXNlcjpwYXNz" }));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await errorOf(response)).code).toBe("UNAUTHORIZED");
  });

  it.each([
    `/v1/contracts/${id}/leases`,
    `/v1/contracts/${id}/leases/00000000000000000000000000000001`,
    `/v1/contracts/${id}/leases/00000000000000000000000000000001/bytes`,
    `/v1/contracts/${id}/storage`,
    `/v1/contracts/${id}/storage/stats`,
    `/v1/contracts/${id}/inbox`,
    `/v1/contracts/${id}/inbox/${id}/1`,
    `/v1/contracts/${id}/subscriptions`,
  ])("GET %s (private memory) needs the token", async (path) => {
    const anonymous = await call(get(path));
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("UNAUTHORIZED");
    // With the token the request gets through to the route (no such instance here).
    const authorized = await call(get(path, { authorization: "Bearer s3cret-token" }));
    expect(authorized.status).not.toBe(401);
    await authorized.arrayBuffer();
  });

  it.each([
    `/v1/contracts/${id}`,
    `/v1/contracts/${id}/state`,
    `/v1/contracts/${id}/summary`,
    `/v1/contracts/${id}/publications`,
    `/v1/contracts/${id}/publications/1`,
  ])("GET %s (public) needs no token", async (path) => {
    const response = await call(get(path));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("CONTRACT_NOT_FOUND");
  });

  it("GET .../subscribe is public, as state reads are: no token needed to upgrade", async () => {
    const response = await call(get(`/v1/contracts/${id}/subscribe`, { upgrade: "websocket" }));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("CONTRACT_NOT_FOUND");
  });

  it("READ_TOKEN opens the private reads, and nothing else", async () => {
    const ctx = createExecutionContext();
    const bindings = { ...env, API_TOKEN: "s3cret-token", READ_TOKEN: "reader-token" };
    const read = await worker.fetch(
      get(`/v1/contracts/${id}/storage/stats`, { authorization: "Bearer reader-token" }),
      bindings,
      ctx,
    );
    expect(read.status).toBe(404);
    const write = await worker.fetch(putCode({ authorization: "Bearer reader-token" }), bindings, ctx);
    expect(write.status).toBe(401);
    await waitOnExecutionContext(ctx);
  });
});
