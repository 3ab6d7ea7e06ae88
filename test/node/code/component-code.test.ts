// The upload check of component contracts, with the real transpiler (our
// rebuilt jco bindgen) over the components the build made: the examples
// pass, a wrong export or signature and an unserved import are refused with
// COMPONENT_INVALID; and the registry's component namespace binds exactly
// the interfaces it claims.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isComponentBinary, prepareComponent } from "../../../src/code/component-code.js";
import { createTranspiler } from "../../../src/component/transpile-component.js";
import { EdgeError } from "../../../src/errors.js";
import { FUEL_EXPORT } from "../../../src/metering/metering-abi.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import { COMPONENT_NAMESPACES, isComponentCode } from "../../../src/namespaces/registry.js";
import { DEFAULT_LIMITS } from "../conformance/wasi-files-host.js";
import { FileStore } from "../../../src/store/files/file-store.js";
import { MemoryFileRows } from "../../../src/store/files/memory-file-rows.js";
import { newHasher } from "../support/hasher.js";

const transpile = createTranspiler((name) => new WebAssembly.Module(readFileSync(`build/bindgen/${name}`)));
const built = (name: string) => readFileSync(`build/contracts/${name}.wasm`);

async function refusal(name: string): Promise<EdgeError> {
  const error = await prepareComponent(built(name), transpile).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EdgeError);
  return error as EdgeError;
}

/** The kv-notebook example as if it imported `imports` instead. */
async function refusedWith(imports: string[]): Promise<EdgeError> {
  const error = await prepareComponent(built("kv-notebook"), async (bytes, name) => ({
    ...(await transpile(bytes, name)),
    imports,
  })).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EdgeError);
  return error as EdgeError;
}

describe("component upload check", () => {
  it("tells components from core modules by their header", () => {
    expect(isComponentBinary(built("kv-notebook"))).toBe(true);
    expect(isComponentBinary(built("counter"))).toBe(false);
  });

  it.each(["kv-notebook", ...(existsSync("build/contracts/journal-rs.wasm") ? ["journal-rs"] : [])])(
    "admits the %s example, metering every core module",
    async (name) => {
      const { bundle, namespaces } = await prepareComponent(built(name), transpile);
      expect(namespaces).toEqual(["wasi:filesystem"]);
      expect(isComponentCode(namespaces)).toBe(true);
      expect(bundle.modules.length).toBeGreaterThan(1);
      for (const { bytes } of bundle.modules) {
        const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
        expect(WebAssembly.Module.exports(module).map(({ name: n }) => n)).toContain(FUEL_EXPORT);
      }
    },
  );

  it("refuses a component without the world's run, naming the export", async () => {
    const error = await refusal("wrong-export");
    expect(error.code).toBe("COMPONENT_INVALID");
    expect(error.details?.exports).toEqual(["hello (function)"]);
  });

  it("refuses a run with another signature", async () => {
    const error = await refusal("wrong-signature");
    expect(error.code).toBe("COMPONENT_INVALID");
    expect(error.message).toContain("run: func(input: list<u8>) -> result<list<u8>, string>");
  });

  it("refuses an import no namespace serves, and a WASI version other than 0.2", async () => {
    const foreign = await refusedWith(["wasi:io/streams@0.2.12", "wasi:sockets/tcp@0.2.12"]);
    expect(foreign.details?.unsupportedImports).toEqual(["wasi:sockets/tcp@0.2.12"]);
    const newer = await refusedWith(["wasi:io/streams@0.3.0"]);
    expect(newer.code).toBe("COMPONENT_INVALID");
    expect(newer.details?.unsupportedImports).toEqual(["wasi:io/streams@0.3.0"]);
  });
});

describe.each(COMPONENT_NAMESPACES.map((namespace) => [namespace.name, namespace] as const))(
  "component namespace %s",
  (_name, namespace) => {
    it("binds exactly the interfaces it claims", () => {
      const store = new FileStore(new MemoryFileRows(), newHasher, DEFAULT_LIMITS);
      const port = {
        source: store.source("k"),
        snapshot: store.snapshot(),
        limits: DEFAULT_LIMITS,
        parameters: new Uint8Array(0),
        instanceId: new Uint8Array(32),
        outputLimitBytes: 1024,
        stagingKey: "k",
      };
      const binding = namespace.component.bind(port, { meter: UNMETERED, fuelUsed: () => 0 });
      expect(Object.keys(binding.imports).toSorted()).toEqual([...namespace.component.interfaces].toSorted());
    });
  },
);
