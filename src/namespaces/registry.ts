// The one list of host namespaces. The upload check, the sandbox's import
// object, the DO's per-call ports and commits all iterate it; a new ABI is
// its module plus one line here.
import { edgeCall } from "./edge-call.js";
import { edgeStorage } from "./edge-storage.js";
import { fbmu } from "./fbmu.js";
import { freenetContractIo } from "./freenet-contract-io.js";
import { freenetLog } from "./freenet-log.js";
import { freenetRand } from "./freenet-rand.js";
import { freenetTime } from "./freenet-time.js";
import { wasiFilesystem } from "./wasi-filesystem.js";
import { shmExchange } from "./shm-exchange.js";
import { shmPubSub } from "./shm-pubsub.js";
import type { ComponentHost, HostNamespace, ImportSpec } from "./host-namespace.js";

export const NAMESPACES: readonly HostNamespace[] = [
  freenetContractIo,
  freenetLog,
  freenetRand,
  freenetTime,
  edgeStorage,
  fbmu,
  wasiFilesystem,
  edgeCall,
  shmExchange,
  shmPubSub,
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

export type ComponentNamespace = HostNamespace & { component: ComponentHost<unknown, unknown> };

/** The namespaces that serve component contracts, in registry order. */
export const COMPONENT_NAMESPACES: readonly ComponentNamespace[] = NAMESPACES.filter(
  (namespace): namespace is ComponentNamespace => namespace.component !== undefined,
);

/** A WIT interface name without its version: "wasi:io/streams@0.2.3" -> "wasi:io/streams". */
export function unversioned(name: string): string {
  const at = name.indexOf("@");
  return at < 0 ? name : name.slice(0, at);
}

/** The namespace serving a component import (versioned or not), if any does. */
export function namespaceServing(interfaceName: string): ComponentNamespace | undefined {
  const bare = unversioned(interfaceName);
  return COMPONENT_NAMESPACES.find((namespace) => namespace.component.interfaces.includes(bare));
}

/** Whether code importing `namespaces` is a component (only components import a component namespace). */
export function isComponentCode(namespaces: readonly string[] | null): boolean {
  return namespaces?.some((name) => namespaceNamed(name)?.component !== undefined) ?? false;
}
