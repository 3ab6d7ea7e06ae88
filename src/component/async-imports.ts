// The component imports the platform's WASI hosts may answer asynchronously (they wait on
// Durable Object RPC); jco wraps exactly these in `WebAssembly.Suspending` (JSPI) so the guest
// pauses while the host awaits. A host method that returns a Promise but is missing here fails
// silently (a void method drops its Promise), so the list errs on the side of async: a listed
// method may still answer synchronously (the trampoline awaits whatever it gets).
//
// Name format, verified against jco 1.35's output: `<namespace>:<package>/<interface>#<function>`
// WITHOUT a version. jco matches an unversioned selector against every version of the interface
// (0.2.0 and 0.2.12 components alike), while a versioned one matches only that exact version, so
// unversioned names keep the list valid whatever WASI 0.2.x version a toolchain emits. Resource
// methods are named as in the component's core imports: `[method]<resource>.<method>`. jco has no
// interface-level wildcards (only a bare "*", which would make every import async).
//
// Kept synchronous on purpose: `descriptor.get-type` and `descriptor.get-flags` (descriptor-local
// state), `preopens.get-directories` (the preview1 adapter calls it while it initialises, where no
// promising export may be on the stack), resource drops, `subscribe`, and error helpers.

const FILESYSTEM_TYPES = "wasi:filesystem/types";
const IO_STREAMS = "wasi:io/streams";
const IO_POLL = "wasi:io/poll";

const DESCRIPTOR_METHODS = [
  // Stream creation only records an offset in our host, but append needs the file's size and
  // the host may want to check the descriptor against the DO: async costs one suspension per stream.
  "read-via-stream",
  "write-via-stream",
  "append-via-stream",
  "advise",
  "sync-data",
  "set-size",
  "set-times",
  "read",
  "write",
  "read-directory",
  "sync",
  "create-directory-at",
  "stat",
  "stat-at",
  "set-times-at",
  "link-at",
  "open-at",
  "readlink-at",
  "remove-directory-at",
  "rename-at",
  "symlink-at",
  "unlink-file-at",
  "is-same-object",
  "metadata-hash",
  "metadata-hash-at",
];

const INPUT_STREAM_METHODS = ["read", "blocking-read", "skip", "blocking-skip"];

const OUTPUT_STREAM_METHODS = [
  "check-write",
  "write",
  "blocking-write-and-flush",
  "flush",
  "blocking-flush",
  "write-zeroes",
  "blocking-write-zeroes-and-flush",
  "splice",
  "blocking-splice",
];

export const ASYNC_IMPORTS: readonly string[] = Object.freeze([
  ...DESCRIPTOR_METHODS.map((method) => `${FILESYSTEM_TYPES}#[method]descriptor.${method}`),
  `${FILESYSTEM_TYPES}#[method]directory-entry-stream.read-directory-entry`,
  ...INPUT_STREAM_METHODS.map((method) => `${IO_STREAMS}#[method]input-stream.${method}`),
  ...OUTPUT_STREAM_METHODS.map((method) => `${IO_STREAMS}#[method]output-stream.${method}`),
  // Streams waiting on the DO may be polled; the hosts resolve pollables when data is in.
  `${IO_POLL}#poll`,
  `${IO_POLL}#[method]pollable.block`,
]);

// The world's only export (wit/edge-contract.wit): `run` becomes `WebAssembly.promising`.
export const ASYNC_EXPORTS: readonly string[] = Object.freeze(["run"]);
