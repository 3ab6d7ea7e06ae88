// The WASI imports jco's transpiler (the rebuilt bindgen component) is instantiated with. It is
// pure computation: it reads no files, environment or clock, and asks for random bytes once, at
// instantiation (Rust's hash-map seeds). Everything else is there because the glue checks that
// every import exists; the filesystem has no preopens, so no descriptor is ever made. Output to
// stderr (a Rust panic message) is kept so a crash can name its cause.
// The glue's types are an ambient declaration (no build needed to typecheck); this pulls it
// into every program that reaches this file, the node tests' included.
// oxlint-disable-next-line typescript/triple-slash-reference
/// <reference path="./bindgen-glue.d.ts" />
import { type Bindgen, instantiate } from "../../build/bindgen/js-component-bindgen.js";

/** Compiled core modules of the bindgen component, by the file name jco gave them. */
export type BindgenCoreLoader = (name: string) => WebAssembly.Module | Promise<WebAssembly.Module>;

// Panic messages are short; a bound keeps a chatty crash from growing the isolate.
const STDERR_LIMIT = 4096;

function unavailable(what: string): never {
  throw new Error(`the transpiler called ${what}, which its host does not provide`);
}

class IoError {
  toDebugString(): string {
    return "transpiler host I/O error";
  }
}

class InputStream {
  read(_len: bigint): Uint8Array {
    // End of stream: the transpiler has no stdin.
    throw { tag: "closed" };
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
}

class OutputStream {
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}
  checkWrite(): bigint {
    return 65536n;
  }
  write(contents: Uint8Array): void {
    this.sink(contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.sink(contents);
  }
  blockingFlush(): void {}
}

// The glue insists that these resource classes exist; with no preopens and no terminal, no
// instance of them is ever made.
/* oxlint-disable typescript/no-extraneous-class */
class Descriptor {}
class DirectoryEntryStream {}
class TerminalInput {}
class TerminalOutput {}
/* oxlint-enable typescript/no-extraneous-class */

/** A bindgen instance plus what it wrote to stderr since the last `takeStderr`. */
export interface BindgenInstance {
  bindgen: Bindgen;
  takeStderr(): string;
}

export async function instantiateBindgen(loadCore: BindgenCoreLoader): Promise<BindgenInstance> {
  let stderr = "";
  const decoder = new TextDecoder();
  const toStderr = new OutputStream((bytes) => {
    if (stderr.length < STDERR_LIMIT) stderr += decoder.decode(bytes).slice(0, STDERR_LIMIT - stderr.length);
  });
  const discard = new OutputStream(() => {});
  const stdin = new InputStream();
  const bindgen = await instantiate(loadCore, {
    "wasi:cli/environment": { getEnvironment: (): Array<[string, string]> => [] },
    "wasi:cli/exit": { exit: () => unavailable("exit") },
    "wasi:cli/stderr": { getStderr: () => toStderr },
    "wasi:cli/stdin": { getStdin: () => stdin },
    "wasi:cli/stdout": { getStdout: () => discard },
    "wasi:cli/terminal-input": { TerminalInput },
    "wasi:cli/terminal-output": { TerminalOutput },
    "wasi:cli/terminal-stderr": { getTerminalStderr: () => undefined },
    "wasi:cli/terminal-stdin": { getTerminalStdin: () => undefined },
    "wasi:cli/terminal-stdout": { getTerminalStdout: () => undefined },
    "wasi:clocks/wall-clock": { now: () => unavailable("wall-clock.now") },
    "wasi:filesystem/preopens": { getDirectories: (): Array<[Descriptor, string]> => [] },
    "wasi:filesystem/types": {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: () => undefined,
    },
    "wasi:io/error": { Error: IoError },
    "wasi:io/streams": { InputStream, OutputStream },
    "wasi:random/random": {
      getRandomBytes: (len: bigint) => crypto.getRandomValues(new Uint8Array(Number(len))),
    },
  });
  return {
    bindgen,
    takeStderr() {
      const text = stderr;
      stderr = "";
      return text;
    },
  };
}
