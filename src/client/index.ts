// The client's public surface: one import for the typed client, its error and the proof checks.
export { EdgeApiError } from "./api-error.js";
export { EdgeClient } from "./edge-client.js";
export type * from "./types.js";
export { verifyDirectoryProof, verifyFileProof } from "./verify-files-proof.js";
