// AppType carries the routes' types: hono's `hc` client is typed from it. The
// calls below are checked by tsc (tsconfig.json, which has the workers types src needs) and never sent.
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../../src/app.js";

const client = hc<AppType>("http://x");

// Compile-time only: a route, a parameter or a body field that does not exist fails the typecheck.
export async function typedCalls(id: string): Promise<void> {
  const code = await client.v1.code.$put({}, { init: { body: new Uint8Array([0, 97, 115, 109]) } });
  if (code.status === 201) {
    const { codeHash, size }: { codeHash: string; size: number } = await code.json();
    void [codeHash, size];
  }
  const created = await client.v1.contracts.$post({ json: { codeHash: "x", parameters: "" } });
  if (created.ok) {
    const { id: made }: { id: string } = await created.json();
    void made;
  }
  const record = await client.v1.contracts[":id"].$get({ param: { id } });
  if (record.status === 200) {
    const { namespaces }: { namespaces: string[] | null } = await record.json();
    void namespaces;
  }
  await client.v1.contracts[":id"].updates.$post({
    param: { id },
    query: { kind: "delta" },
    header: {},
  });
  await client.v1.contracts[":id"].leases[":leaseId"].renew.$post({
    param: { id, leaseId: "0".repeat(31) + "1" },
    json: { secs: 60 },
  });
  // @ts-expect-error: no such route
  await client.v1.nothing.$get();
}

describe("hc<AppType>", () => {
  it("builds the URLs of typed routes", () => {
    expect(client.v1.contracts[":id"].state.$url({ param: { id: "abc" } }).href).toBe(
      "http://x/v1/contracts/abc/state",
    );
    expect(client.v1["openapi.json"].$url().href).toBe("http://x/v1/openapi.json");
  });
});
