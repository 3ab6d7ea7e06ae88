// The work-journal example end to end: a run that traps halfway leaves its
// journal in a lease, and a later run resumes it by id to the same result.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, createInstance, errorOf } from "./support/api.js";
import { contractUrl } from "./support/exec.js";

const u32 = (value: number) => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
};

const run = (id: string, body: Uint8Array) => SELF.fetch(contractUrl(id, "run"), { method: "POST", body });
const start = (steps: number, crashAfter = 0) =>
  new Uint8Array([1, ...u32(steps), ...u32(600), ...u32(crashAfter)]);
const resume = (lease: Uint8Array, steps: number) => new Uint8Array([2, ...lease, ...u32(steps), ...u32(0)]);

function journal(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return { lease: bytes.slice(0, 16), steps: view.getUint32(16, true), acc: view.getBigUint64(20, true) };
}

describe("work-journal contract", () => {
  it("resumes after a trapped run to the result of an uninterrupted one", async () => {
    const reference = await createInstance({}, "work-journal", new Uint8Array(0));
    const whole = journal(new Uint8Array(await (await run(reference, start(100))).arrayBuffer()));
    expect(whole.steps).toBe(100);

    const id = await createInstance({}, "work-journal", new Uint8Array(0));
    const crashed = await run(id, start(100, 40));
    expect((await errorOf(crashed)).code).toBe("CONTRACT_TRAP");
    const { leases } = (await (await SELF.fetch(`${BASE}/v1/contracts/${id}/leases`)).json()) as {
      leases: Array<{ id: string; status: string }>;
    };
    expect(leases).toHaveLength(1);
    expect(leases[0]!.status).toBe("active");
    const lease = Uint8Array.from(leases[0]!.id.match(/../g)!.map((byte) => parseInt(byte, 16)));

    const resumed = journal(new Uint8Array(await (await run(id, resume(lease, 100))).arrayBuffer()));
    expect(resumed).toEqual({ lease, steps: 100, acc: whole.acc });
  });
});
