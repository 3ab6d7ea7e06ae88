// Component contracts end to end through HTTP, inside workerd: upload (our
// jco transpiles and meters), runs whose files persist in the DO's Merkle
// store, files read back with ETag, Range and verifiable proofs, and runs
// that fail leaving files and root untouched.
import { SELF, env, evictDurableObject } from "cloudflare:test";
import { hex } from "@scure/base";
import { describe, expect, it } from "vitest";
import { verifyFileProof } from "../../src/client/verify-files-proof.js";
import { BASE, contractWasm, createInstance, createInstanceWith, errorOf } from "./support/api.js";
import { contractUrl } from "./support/exec.js";

const text = (value: string) => new TextEncoder().encode(value);
const decode = (bytes: ArrayBuffer | Uint8Array) => new TextDecoder().decode(bytes);
const run = (id: string, input: string, headers: HeadersInit = {}) =>
  SELF.fetch(contractUrl(id, "run"), { method: "POST", body: text(input), headers });
const rootOf = async (id: string) => (await SELF.fetch(contractUrl(id, "files"))).headers.get("x-files-root");
const stdoutOf = (response: Response) =>
  decode(Uint8Array.from(atob(response.headers.get("x-contract-stdout") ?? ""), (c) => c.charCodeAt(0)));

const hasRust = "journal-rs" in env.TEST_CONTRACTS;

describe("component upload", () => {
  it("accepts a component and answers what it imports", async () => {
    const response = await SELF.fetch(`${BASE}/v1/code`, {
      method: "PUT",
      body: contractWasm("kv-notebook"),
    });
    expect(response.status).toBeLessThan(300);
    const { codeHash } = (await response.json()) as { codeHash: string };
    const id = await createInstance({}, "kv-notebook");
    const described = (await (await SELF.fetch(`${BASE}/v1/contracts/${id}`)).json()) as {
      codeHash: string;
      namespaces: string[];
    };
    expect(described.codeHash).toBe(codeHash);
    expect(described.namespaces).toEqual(["wasi:filesystem"]);
  });

  it("refuses a component that does not export the world's run", async () => {
    const response = await SELF.fetch(`${BASE}/v1/code`, {
      method: "PUT",
      body: contractWasm("wrong-export"),
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe("COMPONENT_INVALID");
    expect(error.message).toMatch(/run/);
  });

  it("refuses a component whose run has another signature", async () => {
    const response = await SELF.fetch(`${BASE}/v1/code`, {
      method: "PUT",
      body: contractWasm("wrong-signature"),
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe("COMPONENT_INVALID");
    expect(error.message).toContain("run: func(input: list<u8>) -> result<list<u8>, string>");
  });

  it("refuses a truncated component by code", async () => {
    const bytes = contractWasm("kv-notebook").slice(0, 200);
    const response = await SELF.fetch(`${BASE}/v1/code`, { method: "PUT", body: bytes });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).code).toBe("COMPONENT_INVALID");
  });
});

describe("kv-notebook (AssemblyScript component)", () => {
  it("keeps its notes across runs, in files with a root that changes only with them", async () => {
    const id = await createInstance({}, "kv-notebook");
    const emptyRoot = await rootOf(id);
    const put = await run(id, "put greeting hello world");
    expect(put.status).toBe(200);
    expect(decode(await put.arrayBuffer())).toBe("ok");
    expect(stdoutOf(put)).toMatch(/put greeting/);
    const root = put.headers.get("x-files-root");
    expect(root).not.toBe(emptyRoot);
    expect(put.headers.get("x-files-version")).toBe("1");

    const got = await run(id, "get greeting");
    expect(decode(await got.arrayBuffer())).toBe("hello world");
    // A run that only reads commits nothing new.
    expect(got.headers.get("x-files-root")).toBe(root);

    const file = await SELF.fetch(contractUrl(id, "files/notes/greeting"));
    expect(file.status).toBe(200);
    expect(decode(await file.arrayBuffer())).toBe("hello world");
    expect(file.headers.get("x-files-root")).toBe(root);
    const etag = file.headers.get("etag")!;
    const again = await SELF.fetch(contractUrl(id, "files/notes/greeting"), {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    const part = await SELF.fetch(contractUrl(id, "files/notes/greeting"), {
      headers: { range: "bytes=6-" },
    });
    expect(part.status).toBe(206);
    expect(decode(await part.arrayBuffer())).toBe("world");

    const listing = (await (await SELF.fetch(contractUrl(id, "files?dir=notes"))).json()) as {
      entries: Array<{ name: string; kind: string; size: number }>;
    };
    expect(listing.entries.map(({ name, kind, size }) => [name, kind, size])).toEqual([
      ["greeting", "file", 11],
    ]);
  });

  it("answers inclusion proofs the client verifies, and tampering fails them", async () => {
    const id = await createInstance({}, "kv-notebook");
    await run(id, "put a 1\nput b two");
    const proofResponse = await SELF.fetch(contractUrl(id, "files/notes/b?proof=1"));
    const { root, proof } = (await proofResponse.json()) as {
      root: string;
      proof: Parameters<typeof verifyFileProof>[0];
    };
    const expected = hex.decode(root);
    expect(verifyFileProof(proof, expected, text("two"))).toMatchObject({ ok: true });
    expect(verifyFileProof(proof, expected, text("tw0")).ok).toBe(false);
    const otherRoot = expected.slice();
    otherRoot[0] = (otherRoot[0] ?? 0) ^ 1;
    expect(verifyFileProof(proof, otherRoot, text("two")).ok).toBe(false);
  });

  it("drops the files of a run that fails: err, trap or out of fuel", async () => {
    const id = await createInstance({}, "kv-notebook");
    await run(id, "put keep this");
    const root = await rootOf(id);
    // The err of the second command ends the run: the first command's write goes too.
    const refused = await run(id, "put lost value\nget missing");
    expect(refused.status).toBe(422);
    const error = await errorOf(refused);
    expect(error.code).toBe("CONTRACT_REJECTED");
    expect(error.details?.message).toBe("no such key: missing");
    const starved = await run(id, "put lost value", { "x-fuel-limit": "20000" });
    expect((await errorOf(starved)).code).toBe("CONTRACT_OUT_OF_FUEL");
    expect(await rootOf(id)).toBe(root);
    expect((await SELF.fetch(contractUrl(id, "files/notes/lost"))).status).toBe(404);
    expect(decode(await (await run(id, "list")).arrayBuffer())).toBe("keep");
  });

  it("gives identical roots, logs and outputs for the same input on two fresh instances", async () => {
    const parameters = text("same");
    const answers = [];
    for (const _ of [0, 1]) {
      const id = await createInstanceWith("kv-notebook", new Uint8Array([...parameters, answers.length]));
      const response = await run(id, "put x 1\nput y 2\nlist");
      answers.push({
        status: response.status,
        body: decode(await response.arrayBuffer()),
        root: response.headers.get("x-files-root"),
        stdout: response.headers.get("x-contract-stdout"),
        fuel: response.headers.get("x-contract-fuel"),
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.body).toBe("ok\nok\nx\ny");
  });
});

/** Appended to the Rust tests' names, so a skipped run says why in the report. */
const NEEDS_RUST = hasRust
  ? ""
  : " [skipped: the Rust component was not built; apt-get install rustc libstd-rust-dev-wasm32 clang lld wasi-libc libclang-rt-14-dev-wasm32 cargo]";

describe.skipIf(!hasRust)(`journal-rs (Rust std::fs component)${NEEDS_RUST}`, () => {
  it("appends, rotates and reads its journal across runs", async () => {
    const id = await createInstanceWith("journal-rs", text(`rotate-bytes=32\n${crypto.randomUUID()}`));
    for (const line of ["first entry", "second entry", "third entry", "fourth entry"]) {
      const response = await run(id, `append ${line}`);
      expect(decode(await response.arrayBuffer())).toMatch(/^(current|rotated)/);
      expect(response.status).toBe(200);
    }
    const stats = decode(await (await run(id, "stats")).arrayBuffer());
    expect(stats).toMatch(/current/);
    const listing = (await (await SELF.fetch(contractUrl(id, "files?dir=journal"))).json()) as {
      entries: Array<{ name: string }>;
    };
    // 37 bytes after the third append passed rotate-bytes: current.log became 0.log.
    expect(listing.entries.map(({ name }) => name)).toEqual(["0.log", "current.log"]);
  });

  it("keeps its files across a DO eviction", async () => {
    const id = await createInstanceWith("journal-rs", text(crypto.randomUUID()));
    await run(id, "append before eviction");
    const root = await rootOf(id);
    await evictDurableObject(env.CONTRACTS.get(env.CONTRACTS.idFromName(id)));
    expect(await rootOf(id)).toBe(root);
    expect(decode(await (await run(id, "read")).arrayBuffer())).toBe("before eviction\n");
  });

  it("leaves files and root unchanged when a run traps after writing", async () => {
    const id = await createInstanceWith("journal-rs", text(crypto.randomUUID()));
    await run(id, "append kept");
    const root = await rootOf(id);
    const trapped = await run(id, "append-then-panic lost");
    expect((await errorOf(trapped)).code).toBe("CONTRACT_TRAP");
    expect(await rootOf(id)).toBe(root);
    expect(decode(await (await run(id, "read")).arrayBuffer())).toBe("kept\n");
  });

  it("refuses paths that leave a preopen", async () => {
    const id = await createInstanceWith("journal-rs", text(crypto.randomUUID()));
    expect(decode(await (await run(id, "probe-read /params/parameters")).arrayBuffer())).toMatch(
      /^read \d+ bytes$/,
    );
    for (const path of ["../outside", "journal/../../outside", "/params/../params/parameters"]) {
      const refused = await run(id, `probe-read ${path}`);
      const error = await errorOf(refused);
      expect(error.code).toBe("CONTRACT_REJECTED");
      expect(String(error.details?.message)).not.toMatch(/NotFound/);
    }
  });

  it("writes and reads back a 64 MiB file with the guest's memory flat", async () => {
    const id = await createInstanceWith("journal-rs", text(crypto.randomUUID()));
    const baseline = Number((await run(id, "stats")).headers.get("x-guest-memory-bytes"));
    const wrote = await run(id, "bulk-write 64");
    expect(wrote.status).toBe(200);
    const written = decode(await wrote.arrayBuffer());
    expect(written).toMatch(/^wrote 67108864 sum /);
    const read = await run(id, "bulk-read");
    expect(read.status).toBe(200);
    expect(decode(await read.arrayBuffer())).toBe(written.replace("wrote", "read"));
    const growth = Number(read.headers.get("x-guest-memory-bytes")) - baseline;
    expect(growth).toBeLessThan(1024 * 1024);
    const listing = (await (await SELF.fetch(contractUrl(id, "files?dir=bulk"))).json()) as {
      entries: Array<{ name: string; size: number }>;
    };
    expect(listing.entries).toEqual([expect.objectContaining({ name: "data.bin", size: 64 * 1024 * 1024 })]);
  });
});
