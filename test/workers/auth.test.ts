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
