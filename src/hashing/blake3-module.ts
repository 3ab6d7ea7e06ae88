// The workerd binding of the BLAKE3 hasher: the wasm is compiled by the build
// and bundled by wrangler, so nothing is compiled at run time.
import blake3Wasm from "../../build/blake3.wasm";
import { blake3Factory } from "./blake3.js";

export const newHasher = blake3Factory(blake3Wasm);
