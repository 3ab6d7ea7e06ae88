// The DO halves of the namespaces for one instance, over real SQLite: a call
// gets only the ports of the namespaces its module imports, changes commit
// through the namespace they belong to, and the alarm runs every collect.
import { describe, expect, it } from "vitest";
import { edgeStorage } from "../../../src/namespaces/edge-storage.js";
import { fbmu } from "../../../src/namespaces/fbmu.js";
import { NAMESPACES } from "../../../src/namespaces/registry.js";
import { FRAME_BYTES } from "../../../src/limits.js";
import { NodeInstance } from "../support/node-instance.js";

const tables = (instance: NodeInstance) =>
  instance.sql
    .exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .map((row) => String(row.name));

describe("NamespaceHosts", () => {
  it("gives a call the ports of the namespaces its module imports, and only those", () => {
    const { hosts } = new NodeInstance();
    expect(Object.keys(hosts.ports(["freenet_contract_io", "freenet_log"]))).toEqual([]);
    expect(Object.keys(hosts.ports(["freenet_contract_io", "edge_storage"]))).toEqual(["edge_storage"]);
    expect(Object.keys(hosts.ports(["fbmu"]))).toEqual(["fbmu"]);
    expect(Object.keys(hosts.ports(["no_such_namespace"]))).toEqual([]);
  });

  it("gives an instance recorded before the list every namespace's port", () => {
    const { hosts } = new NodeInstance();
    const withHost = NAMESPACES.filter((namespace) => namespace.host).map((namespace) => namespace.name);
    expect(Object.keys(hosts.ports(null)).toSorted()).toEqual(withHost.toSorted());
  });

  it("opens a namespace's tables only when it is first used", () => {
    const instance = new NodeInstance();
    expect(tables(instance)).toEqual([]);
    instance.hosts.ports(["freenet_log"]);
    expect(tables(instance)).toEqual([]);
    instance.hosts.ports(["edge_storage"]);
    expect(tables(instance)).toEqual(["storage_frames", "storage_meta"]);
    instance.hosts.store(fbmu);
    expect(tables(instance)).toEqual(["lease_frames", "leases", "storage_frames", "storage_meta"]);
  });

  it("commits changes through their namespace, and refuses changes no namespace commits", () => {
    const instance = new NodeInstance();
    const frame = new Uint8Array(FRAME_BYTES).fill(7);
    const written = instance.hosts.commit({
      edge_storage: { writes: [{ index: 2, bytes: frame }], size: 3 * FRAME_BYTES },
    });
    expect(written).toBeGreaterThanOrEqual(FRAME_BYTES);
    const storage = instance.hosts.store(edgeStorage);
    expect(storage.size()).toBe(3 * FRAME_BYTES);
    expect(storage.frames([2])[0]).toEqual(frame);
    expect(() => instance.hosts.commit({ fbmu: {} })).toThrow(expect.objectContaining({ code: "INTERNAL" }));
    expect(() => instance.hosts.commit({ nobody: {} })).toThrow(
      expect.objectContaining({ code: "INTERNAL" }),
    );
  });

  it("runs every namespace's alarm work and answers the earliest next wake", () => {
    const instance = new NodeInstance({ settings: { leaseGraceSecs: 60 } });
    const leases = instance.hosts.store(fbmu);
    const lease = leases.acquire(1, 100);
    expect(instance.hosts.collect()).toBe((lease.expiresAt + 60) * 1000);
    leases.free(lease.id);
    expect(instance.hosts.collect()).toBeNull();
    expect(leases.get(lease.id).status).toBe("revoked");
  });
});
