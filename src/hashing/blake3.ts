// BLAKE3-256 hasher over the build-time wasm in ./assembly/blake3.ts. The module
// is passed in (imported statically in workerd, read from disk in node tests)
// so this file runs unchanged in both.

export interface Hasher {
  update(bytes: Uint8Array): Hasher;
  digest(): Uint8Array;
}

interface Blake3Exports {
  memory: WebAssembly.Memory;
  inputPtr(): number;
  inputCapacity(): number;
  outputPtr(): number;
  reset(): void;
  update(len: number): void;
  finalize(): void;
}

const HASH_BYTES = 32;
// Idle wasm instances kept for reuse; each is 128 KiB of memory.
const POOL_LIMIT = 8;

export type HasherFactory = () => Hasher;

export function blake3Factory(module: WebAssembly.Module): HasherFactory {
  const pool: Blake3Exports[] = [];
  const acquire = (): Blake3Exports => {
    const reused = pool.pop();
    if (reused) return reused;
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort() {
          throw new Error("blake3 wasm aborted");
        },
      },
    });
    return instance.exports as unknown as Blake3Exports;
  };
  return () => {
    const wasm = acquire();
    wasm.reset();
    const input = wasm.inputPtr();
    const capacity = wasm.inputCapacity();
    let done = false;
    const hasher: Hasher = {
      update(bytes) {
        if (done) throw new Error("hasher already finalized");
        const view = new Uint8Array(wasm.memory.buffer);
        for (let offset = 0; offset < bytes.length; offset += capacity) {
          const slice = bytes.subarray(offset, Math.min(offset + capacity, bytes.length));
          view.set(slice, input);
          wasm.update(slice.length);
        }
        return hasher;
      },
      digest() {
        if (done) throw new Error("hasher already finalized");
        done = true;
        wasm.finalize();
        const out = wasm.outputPtr();
        const result = new Uint8Array(wasm.memory.buffer).slice(out, out + HASH_BYTES);
        if (pool.length < POOL_LIMIT) pool.push(wasm);
        return result;
      },
    };
    return hasher;
  };
}
