// What the wasi:filesystem conformance suite (wasi-files.case.test.ts) runs
// against: an instance's file store that hands out a FilesPort per call and
// commits (or drops) what the call changed. Each runtime provides one.
import type { FilesChanges, FilesLimits, FilesPort } from "../../../src/protocol/files-port.js";

export interface WasiFilesStore {
  /** The port of the next call: the committed files and a fresh staging area. */
  port(options?: { parameters?: Uint8Array; outputLimitBytes?: number }): FilesPort;
  /** Commits a call's changes at `atMs`, as the DO does with a successful outcome. */
  commit(changes: FilesChanges, atMs: number): void;
  /** Drops every uncommitted staged page, as the DO does after a failed call. */
  discard(): void;
  /** The committed Merkle root. */
  root(): Uint8Array;
}

export interface WasiFilesHost {
  name: string;
  /** A fresh, empty instance store; `limits` override the platform defaults. */
  open(limits?: Partial<FilesLimits>, instanceId?: Uint8Array): WasiFilesStore;
}
