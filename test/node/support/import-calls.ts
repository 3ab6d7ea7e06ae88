// Counts how often a guest calls one of a namespace's imports. It wraps the
// production binding the registry hands the runner (vi.spyOn on the
// namespace's `bind`), so every call still runs the real import.
import { vi } from "vitest";
import type { GuestBinding, HostFunction, HostNamespace } from "../../../src/namespaces/host-namespace.js";

export interface ImportCalls {
  /** Calls since `countImportCalls` or the last `reset`. */
  readonly count: number;
  reset(): void;
  restore(): void;
}

/** Counts calls of `namespace.name`'s import `name` (synchronous imports only: node runs without JSPI). */
export function countImportCalls<Port, Changes, Store>(
  namespace: HostNamespace<Port, Changes, Store>,
  name: string,
): ImportCalls {
  let count = 0;
  const original = namespace.bind.bind(namespace);
  const spy = vi.spyOn(namespace, "bind").mockImplementation((call, port): GuestBinding<Changes> => {
    const binding = original(call, port);
    const real = binding.imports[name] ?? missing(namespace.name, name);
    const counted: HostFunction = (...args) => {
      count++;
      return real(...args);
    };
    return { ...binding, imports: { ...binding.imports, [name]: counted } };
  });
  return {
    get count() {
      return count;
    },
    reset: () => {
      count = 0;
    },
    restore: () => spy.mockRestore(),
  };
}

function missing(namespace: string, name: string): never {
  throw new Error(`${namespace} has no import ${name}`);
}
