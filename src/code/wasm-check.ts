// Upload-time checks on a contract module. Validation only parses the module;
// it never compiles one, which workerd forbids at run time.
import { EdgeError } from "../errors.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const CORE_MODULE_VERSION = [0x01, 0x00, 0x00, 0x00];

export function checkWasm(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new EdgeError("EMPTY_BODY", "the request body is empty; send a wasm module");
  if (bytes.length < 8 || WASM_MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new EdgeError("NOT_WASM", "the body is not a WebAssembly binary (missing \\0asm magic)");
  }
  if (CORE_MODULE_VERSION.some((byte, i) => bytes[4 + i] !== byte)) {
    throw new EdgeError("NOT_WASM", "only core WebAssembly modules (version 1) are accepted", {
      details: { version: Array.from(bytes.subarray(4, 8)) },
    });
  }
  if (!WebAssembly.validate(bytes)) {
    throw new EdgeError("INVALID_WASM", "the WebAssembly module does not validate");
  }
}
