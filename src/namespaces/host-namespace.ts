// Every host import a contract may use, by namespace (SPEC section 1: one
// module per ABI namespace, one import table). Upload refuses any other
// import by name; the sandbox builds the import object from the same table.

export interface ImportSpec {
  params: string[];
  results: string[];
}

export const FREENET_IO = "freenet_contract_io";

export const IMPORT_CATALOG: Record<string, Record<string, ImportSpec>> = {
  [FREENET_IO]: {
    __frnt__fill_buffer: { params: ["i64", "i64"], results: ["i32"] },
  },
  freenet_log: {
    __frnt__logger__info: { params: ["i64", "i64", "i32"], results: [] },
  },
  freenet_rand: {
    __frnt__rand__rand_bytes: { params: ["i64", "i64", "i32"], results: [] },
  },
  freenet_time: {
    __frnt__time__utc_now: { params: ["i64", "i64"], results: [] },
  },
  edge_storage: {
    storage_map: { params: ["i32", "i64", "i32"], results: ["i32"] },
    storage_unmap: { params: ["i32"], results: ["i32"] },
    storage_sync: { params: [], results: ["i32"] },
    storage_size: { params: [], results: ["i64"] },
    storage_read: { params: ["i32", "i64", "i32"], results: ["i32"] },
    storage_write: { params: ["i64", "i32", "i32"], results: ["i32"] },
  },
  fbmu: {
    fbmu_hello: { params: [], results: ["i32"] },
    fbmu_get_arena_size: { params: [], results: ["i64"] },
    fbmu_read: { params: ["i64", "i32", "i32"], results: ["i32"] },
    fbmu_write: { params: ["i64", "i32", "i32"], results: ["i32"] },
    fbmu_alloc: { params: ["i64", "i64", "i32"], results: ["i32"] },
    fbmu_query: { params: ["i32", "i32"], results: ["i32"] },
    fbmu_renew: { params: ["i32", "i64"], results: ["i64"] },
    fbmu_free: { params: ["i32"], results: ["i32"] },
    fbmu_read_lease: { params: ["i32", "i64", "i32", "i32"], results: ["i32"] },
    fbmu_write_lease: { params: ["i32", "i64", "i32", "i32"], results: ["i32"] },
  },
};

/** The generic entry (SPEC section 6): input and output through the Freenet buffers. */
export const RUN_EXPORTS: Record<string, ImportSpec | "memory"> = {
  memory: "memory",
  __frnt__initiate_buffer: { params: ["i32"], results: ["i64"] },
  run: { params: ["i64"], results: ["i64"] },
};

/** What a Freenet contract must export (freenet-stdlib's #[contract] output). */
export const FREENET_EXPORTS: Record<string, ImportSpec | "memory"> = {
  memory: "memory",
  __frnt__initiate_buffer: { params: ["i32"], results: ["i64"] },
  validate_state: { params: ["i64", "i64", "i64"], results: ["i64"] },
  update_state: { params: ["i64", "i64", "i64"], results: ["i64"] },
  summarize_state: { params: ["i64", "i64"], results: ["i64"] },
  get_state_delta: { params: ["i64", "i64", "i64"], results: ["i64"] },
};

export function sameSignature(a: ImportSpec, b: ImportSpec): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}
