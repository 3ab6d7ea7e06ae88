// The one list of host namespaces. The upload check, the sandbox's import
// object, the DO's per-call ports and commits all iterate it; a new ABI is
// its module plus one line here.
import { edgeStorage } from "./edge-storage.js";
import { fbmu } from "./fbmu.js";
import { freenetContractIo } from "./freenet-contract-io.js";
import { freenetLog } from "./freenet-log.js";
import { freenetRand } from "./freenet-rand.js";
import { freenetTime } from "./freenet-time.js";
import type { HostNamespace, ImportSpec } from "./host-namespace.js";

export const NAMESPACES: readonly HostNamespace[] = [
  freenetContractIo,
  freenetLog,
  freenetRand,
  freenetTime,
  edgeStorage,
  fbmu,
];

const BY_NAME = new Map(NAMESPACES.map((namespace) => [namespace.name, namespace]));

export function namespaceNamed(name: string): HostNamespace | undefined {
  return BY_NAME.get(name);
}

/** The signature of `module.name` if the host provides it. */
export function importSpec(module: string, name: string): ImportSpec | undefined {
  return BY_NAME.get(module)?.catalog[name];
}

/** The namespaces a module's imports name, in registry order (unknown modules are left out). */
export function namespacesImported(imports: Iterable<{ module: string }>): string[] {
  const named = new Set([...imports].map((entry) => entry.module));
  return NAMESPACES.filter((namespace) => named.has(namespace.name)).map((namespace) => namespace.name);
}
