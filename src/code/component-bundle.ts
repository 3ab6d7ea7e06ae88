// What the code store keeps for a component: the glue our jco generated and
// the component's core modules (metered), packed into one R2 object so a
// sandbox start is one read. Layout: "ECB1", u32 manifest length, the
// manifest (JSON: glue length, module names and lengths), then the bytes.
import { concatBytes } from "@noble/hashes/utils.js";
import { EdgeError } from "../errors.js";

export interface ComponentBundle {
  /** The glue (ESM, instantiation "async"). */
  js: string;
  /** Core modules by the names the glue asks for, in the glue's order. */
  modules: Array<{ name: string; bytes: Uint8Array }>;
}

interface Manifest {
  js: number;
  modules: Array<{ name: string; length: number }>;
}

const MAGIC = [0x45, 0x43, 0x42, 0x31]; // "ECB1"
const HEADER_BYTES = 8;

export function encodeBundle(bundle: ComponentBundle): Uint8Array {
  const js = new TextEncoder().encode(bundle.js);
  const manifest: Manifest = {
    js: js.length,
    modules: bundle.modules.map(({ name, bytes }) => ({ name, length: bytes.length })),
  };
  const head = new TextEncoder().encode(JSON.stringify(manifest));
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC, 0);
  new DataView(header.buffer).setUint32(4, head.length, true);
  return concatBytes(header, head, js, ...bundle.modules.map((module) => module.bytes));
}

export function decodeBundle(bytes: Uint8Array): ComponentBundle {
  if (bytes.length < HEADER_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) corrupt();
  const headLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  let at = HEADER_BYTES;
  const take = (length: number): Uint8Array => {
    if (at + length > bytes.length) corrupt();
    const part = bytes.subarray(at, at + length);
    at += length;
    return part;
  };
  const manifest = JSON.parse(new TextDecoder().decode(take(headLength))) as Manifest;
  const js = new TextDecoder().decode(take(manifest.js));
  const modules = manifest.modules.map(({ name, length }) => ({ name, bytes: take(length) }));
  if (at !== bytes.length) corrupt();
  return { js, modules };
}

function corrupt(): never {
  throw new EdgeError("INTERNAL", "a stored component bundle is corrupt");
}
