// GET /v1/openapi.json: a valid OpenAPI 3.1 document that describes every
// route the app serves, and nothing else.
import { validate, compileErrors } from "@readme/openapi-parser";
import { describe, expect, it, vi } from "vitest";

// The app's wasm imports are compiled by wrangler for workerd; describing the
// routes needs neither the hasher nor the component transpiler.
vi.mock("../../../src/hashing/blake3-module.js", () => ({ newHasher: () => undefined }));
vi.mock("../../../src/component/bindgen-modules.js", () => ({ transpileComponent: () => undefined }));

// src is typechecked with the workers types (tsconfig.json), which this
// project's config has not, so the app is loaded untyped, by a path tsc does not follow.
interface App {
  routes: Array<{ method: string; path: string }>;
  request(path: string, init: RequestInit, env: Record<string, string>): Response | Promise<Response>;
}
const appModule: string = new URL("../../../src/app.ts", import.meta.url).pathname;
const { createApp } = (await import(appModule)) as { createApp: () => App };

/** What the validator takes: any document, which it checks. */
type Unchecked = Parameters<typeof validate>[0];

const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"] as const;

interface Operation {
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
};

async function documentOf(app = createApp(), env: Record<string, string> = {}): Promise<Document> {
  const response = await app.request("/v1/openapi.json", {}, env);
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
}

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ key: `${method.toUpperCase()} ${path}`, operation }] : [];
    }),
  );

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const document = await documentOf();
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as unknown as Unchecked);
    expect(result.valid ? "" : compileErrors(result)).toBe("");
    // The validator is not vacuous: a document without `info` fails it.
    expect((await validate({ openapi: "3.1.0", paths: {} } as unknown as Unchecked)).valid).toBe(false);
  });

  it("describes every route the app serves, and nothing else", async () => {
    const app = createApp();
    const served = new Set(
      app.routes
        // ALL: middleware (the token check), not a route.
        .filter((route) => route.method !== "ALL")
        // `:id` is `{id}`; the files route's `*` (a path with slashes) is `{path}`.
        .map(
          (route) => `${route.method} ${route.path.replace(/:([^/]+)/g, "{$1}").replace(/\/\*$/, "/{path}")}`,
        ),
    );
    const documented = operations(await documentOf(app)).map(({ key }) => key);
    expect(documented.toSorted()).toEqual([...served].toSorted());
    expect(documented).toContain("GET /v1/openapi.json");
  });

  it("describes binary bodies as binary, both ways", async () => {
    const binary = operations(await documentOf()).flatMap(({ key, operation }) =>
      [operation.requestBody, ...Object.values(operation.responses)].flatMap((body) => {
        const media = body?.content?.["application/octet-stream"];
        return media ? [{ key, schema: media.schema }] : [];
      }),
    );
    expect(binary.map(({ key }) => key)).toContain("PUT /v1/contracts/{id}/state");
    for (const { schema } of binary) expect(schema).toEqual({ type: "string", format: "binary" });
  });

  it("names the stable error codes a route answers", async () => {
    const document = await documentOf();
    const get = document.paths["/v1/code/{codeHash}"]?.get;
    expect(JSON.stringify(get?.responses["404"])).toContain("CODE_NOT_FOUND");
    const renew = document.paths["/v1/contracts/{id}/leases/{leaseId}"]?.get?.responses ?? {};
    expect(Object.keys(renew).toSorted()).toEqual(["200", "400", "401", "404", "410"]);
  });

  it("is public: no token even when API_TOKEN is set", async () => {
    const document = await documentOf(createApp(), { API_TOKEN: "secret" });
    expect(document.paths).toHaveProperty(["/v1/openapi.json"]);
  });
});
