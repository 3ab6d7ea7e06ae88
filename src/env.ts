import type { SettingsSource } from "./config.js";
import type { InstanceRpc } from "./protocol/instance-rpc.js";

/** Bindings and vars (the vars are documented where they are read: src/config.ts). */
export interface Env extends SettingsSource {
  /** Content-addressed contract code (R2). */
  CODE: R2Bucket;
  /** One ContractObject per contract instance, addressed by idFromName(instance id). */
  CONTRACTS: DurableObjectNamespace<InstanceRpc>;
  /** Starts sandbox isolates from contract wasm + the host runtime. */
  LOADER: WorkerLoader;
  /** When set (a secret), writes and reads of linear storage and leases require `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN?: string;
  /** Optional second secret that opens only the private reads (linear storage, leases). */
  READ_TOKEN?: string;
}
