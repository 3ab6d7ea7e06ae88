// Metering at upload, for every core module a contract brings (a core
// contract's one, each of a component's): the rewriter's output is validated
// like any upload, so a rewriter bug never reaches a sandbox.
import { EdgeError } from "../errors.js";
import { meterModule } from "../metering/meter-module.js";

export function instrument(wasm: Uint8Array): Uint8Array {
  const { bytes } = meterModule(wasm);
  if (!WebAssembly.validate(bytes)) {
    throw new EdgeError("INTERNAL", "metering produced an invalid module; please report this contract");
  }
  return bytes;
}
