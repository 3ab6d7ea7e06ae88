// The registry is the one list every side reads: what the upload check admits
// for a namespace is exactly what the sandbox provides, for every namespace.
import createWabt from "wabt";
import { beforeAll, describe, expect, it } from "vitest";
import { checkContractAbi } from "../../../src/code/contract-abi-check.js";
import { parseWasmModule } from "../../../src/code/wasm-sections.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import type { GuestCall, HostNamespace, ImportSpec } from "../../../src/namespaces/host-namespace.js";
import { NAMESPACES, namespacesImported } from "../../../src/namespaces/registry.js";
import { runContract } from "../../../src/sandbox/contract-runner.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";
import { NodeInstance } from "../support/node-instance.js";
import { newHasher as nodeHasher } from "../support/hasher.js";

const MEMORY_LIMIT = 64 << 20;
let wabt: Awaited<ReturnType<typeof createWabt>>;
beforeAll(async () => {
  wabt = await createWabt();
});

const signature = (spec: ImportSpec) =>
  `${spec.params.length ? `(param ${spec.params.join(" ")})` : ""} ${spec.results.length ? `(result ${spec.results.join(" ")})` : ""}`;

/** A `run` contract importing `imports` (module, name, spec) that answers RUN_OK with no bytes and calls nothing. */
function moduleImporting(imports: Array<[string, string, ImportSpec]>): Uint8Array<ArrayBuffer> {
  const lines = imports.map(
    ([module, name, spec]) => `(import "${module}" "${name}" (func ${signature(spec)}))`,
  );
  const text = `(module ${lines.join("\n")}
    (memory (export "memory") 1)
    (func (export "__frnt__initiate_buffer") (param $cap i32) (result i64)
      (i64.store (i32.const 64) (i64.const 1024))
      (i32.store (i32.const 72) (local.get $cap))
      (i64.store (i32.const 80) (i64.const 96))
      (i64.store (i32.const 88) (i64.const 100))
      (i64.const 64))
    (func (export "run") (param i64) (result i64)
      (i64.store (i32.const 16) (i64.const 0))
      (i32.store (i32.const 24) (i32.const 5))
      (i32.store (i32.const 28) (i32.const 0))
      (i64.const 16)))`;
  return wabt.parseWat("imports.wat", text).toBinary({}).buffer as Uint8Array<ArrayBuffer>;
}

/** The namespaces core modules import (component namespaces are checked in test/node/code/component-code.test.ts). */
const CORE_NAMESPACES = NAMESPACES.filter((namespace) => namespace.component === undefined);

const entries = (namespace: HostNamespace): Array<[string, string, ImportSpec]> =>
  Object.entries(namespace.catalog).map(([name, spec]) => [namespace.name, name, spec]);

function guestCall(): GuestCall {
  return {
    memory: () => {
      throw new Error("not called while binding");
    },
    inputs: () => {
      throw new Error("not called while binding");
    },
    blocks: () => {
      throw new Error("not called while binding");
    },
    log: () => {},
    now: () => new Date(0),
    jspi: false,
    localPorts: true,
    meter: UNMETERED,
    checkpoint: () => ({}),
    refresh: async () => {},
  };
}

describe("the namespace registry", () => {
  it("names each namespace once, each with a core catalog or component interfaces (not both)", () => {
    const names = NAMESPACES.map((namespace) => namespace.name);
    expect(new Set(names).size).toBe(names.length);
    for (const namespace of NAMESPACES) {
      const core = Object.keys(namespace.catalog).length > 0;
      const component = (namespace.component?.interfaces.length ?? 0) > 0;
      expect(core !== component).toBe(true);
    }
    expect(CORE_NAMESPACES.length).toBeGreaterThan(0);
  });

  describe.each(CORE_NAMESPACES.map((namespace) => [namespace.name, namespace] as const))(
    "%s",
    (_name, namespace) => {
      it("binds exactly the catalog's imports, with and without a port", () => {
        const catalog = Object.keys(namespace.catalog).toSorted();
        const instance = new NodeInstance();
        const port = namespace.host
          ? namespace.host.port(
              instance.hosts.store(namespace),
              {
                sql: instance.sql,
                clock: instance.clock,
                settings: instance.settings,
                wakeAt: () => {},
                identity: () => ({ id: new Uint8Array(32), parameters: new Uint8Array(0) }),
                newHasher: nodeHasher,
              },
              null,
            )
          : undefined;
        for (const given of [undefined, port]) {
          expect(Object.keys(namespace.bind(guestCall(), given).imports).toSorted()).toEqual(catalog);
        }
      });

      it("what the upload check admits, the sandbox instantiates and runs", async () => {
        const bytes = moduleImporting(entries(namespace));
        expect(checkContractAbi(parseWasmModule(bytes), MEMORY_LIMIT)).toBe("run");
        const module = new WebAssembly.Module(bytes);
        expect(namespacesImported(WebAssembly.Module.imports(module))).toEqual([namespace.name]);
        const outcome = await runContract(
          module,
          { op: "run", input: bytesInput(new Uint8Array(0)) },
          { jspi: false, localPorts: true, memoryLimitBytes: MEMORY_LIMIT },
        );
        expect(outcome.value).toMatchObject({ op: "run", result: { ok: true } });
      });

      it("refuses at upload, and cannot instantiate, a name the catalog lacks", async () => {
        const bytes = moduleImporting([[namespace.name, "not_in_the_catalog", { params: [], results: [] }]]);
        expect(() => checkContractAbi(parseWasmModule(bytes), MEMORY_LIMIT)).toThrow(
          expect.objectContaining({ code: "CONTRACT_ABI" }),
        );
        await expect(
          runContract(
            new WebAssembly.Module(bytes),
            { op: "run", input: bytesInput(new Uint8Array(0)) },
            { jspi: false, localPorts: true, memoryLimitBytes: MEMORY_LIMIT },
          ),
        ).rejects.toMatchObject({ code: "CONTRACT_ABI" });
      });

      it("refuses at upload a catalog name imported with another signature", () => {
        const [[module, name, spec]] = entries(namespace) as [[string, string, ImportSpec]];
        const wrong = { params: [...spec.params, "i32"], results: spec.results };
        const bytes = moduleImporting([[module, name, wrong]]);
        expect(() => checkContractAbi(parseWasmModule(bytes), MEMORY_LIMIT)).toThrow(
          expect.objectContaining({ code: "CONTRACT_ABI" }),
        );
      });
    },
  );

  it("every namespace together: admitted at upload, provided by the sandbox", async () => {
    const bytes = moduleImporting(CORE_NAMESPACES.flatMap(entries));
    expect(checkContractAbi(parseWasmModule(bytes), MEMORY_LIMIT)).toBe("run");
    const module = new WebAssembly.Module(bytes);
    expect(namespacesImported(WebAssembly.Module.imports(module))).toEqual(
      CORE_NAMESPACES.map((n) => n.name),
    );
    const instance = new NodeInstance();
    const outcome = await instance.run(module, new Uint8Array(0));
    expect(outcome).toEqual({ kind: "ok", body: new Uint8Array(0) });
  });
});
