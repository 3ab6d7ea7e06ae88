// The AssemblyScript guest SDK for the freenet-stdlib contract ABI. A contract
// entry file re-exports the two buffer functions and implements the four
// exports (validate_state, update_state, summarize_state, get_state_delta),
// each taking BufferBuilder pointers as i64 and returning a result pointer.
export { __frnt__initiate_buffer, __frnt_set_id, instanceId, fillBuffer } from "./buffers";
export { InputStream } from "./input-stream";
export { Output } from "./output";
export {
  ResultKind,
  CONTRACT_ID_BYTES,
  BytesResult,
  validResult,
  invalidResult,
  requestRelatedResult,
  newStateResult,
  noNewStateResult,
  summaryResult,
  deltaResult,
  deserError,
  invalidUpdateError,
  invalidUpdateWithInfoError,
  invalidStateError,
  invalidDeltaError,
  otherError,
} from "./results";
export { UpdateKind, Part, UpdateDataReader, RelatedContractsReader } from "./update-data";
export { Storage, StorageStatus, STORAGE_FRAME_BYTES, STORAGE_DEFAULT_LIMIT_BYTES } from "./storage";
export { RunKind, runOk, runOkOutput, runError } from "./run";
export { Call, CallResult, CallStatus, BlockMode, CALL_BLOCK_PAIR_BYTES, INSTANCE_ID_BYTES } from "./call";
export {
  AttachFlags,
  ShmError,
  StreamTag,
  ADD_STORAGE_OK,
  NEXT_RESULT_BYTES,
  PUBLISHER_ID_BYTES,
  shmErrorName,
  Attached,
  MemoryBlock,
  Allocation,
  Publisher,
  Subscriber,
  BlockStream,
} from "./shm";
export {
  FabricMem,
  FbmuStatus,
  LeaseStatus,
  LeaseInfo,
  LeaseMem,
  MemLease,
  MemBuilder,
  LEASE_ID_BYTES,
  LEASE_INFO_BYTES,
  LEASE_PAGE_BYTES,
} from "./fabric";
