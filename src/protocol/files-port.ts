// What crosses between the sandbox's WASI filesystem host and the instance's
// file store in the DO. Files are kept in 64 KiB pages keyed by an inode id
// (a rename moves no page); a call reads committed pages on demand, stages
// the pages it writes in the DO under its own key, and hands back the final
// node table of every path it touched, which commits with its outcome.

/** Page size of every file: one DO row per page, well under the 2 MB row limit. */
export const FILE_PAGE_BYTES = 64 * 1024;

export type FileKind = "file" | "directory";

/**
 * A committed node. Paths are relative to the instance's files root: "" is
 * the root directory, segments are joined by "/", no "." or ".." segments.
 */
export interface FileEntry {
  path: string;
  kind: FileKind;
  /** Inode id: pages are keyed by it. The root directory is 0. */
  id: number;
  /** Bytes for a file, 0 for a directory. */
  size: number;
  /** The node's Merkle hash (32 bytes, src/protocol/files-merkle.ts). */
  hash: Uint8Array;
}

/** The instance's files as a call starts. */
export interface FilesSnapshot {
  /** Merkle root of the committed files (the root directory's hash). */
  root: Uint8Array;
  /** Commits so far (0: nothing was ever committed). */
  version: number;
  /** Unix ms of the commit that made `version` (0 before the first): the wall clock the call sees. */
  committedAtMs: number;
  /** First unused inode id. */
  nextId: number;
  /** Files (not directories) and their total bytes, for the limits. */
  fileCount: number;
  /** Files and directories, the root not counted (what maxNodes bounds). */
  nodeCount: number;
  totalBytes: number;
}

export interface FilesLimits {
  maxFileBytes: number;
  /** Files and directories per instance, the root not counted. */
  maxNodes: number;
  maxTotalBytes: number;
  /** UTF-8 bytes of a path relative to its preopen. */
  maxPathBytes: number;
  /** Written page bytes the sandbox holds before it stages them in the DO. */
  writeBufferBytes: number;
  /** Pages a read stream asks for at once. */
  readAheadPages: number;
}

export interface StagedPage {
  id: number;
  page: number;
  /** The page's bytes, at most FILE_PAGE_BYTES; a shorter page reads as zeros after its end. */
  bytes: Uint8Array;
}

type Answer<T> = T | Promise<T>;

/** The committed files and this call's staging area (the DO's FilesTarget; an RpcTarget in workerd). */
export interface FilesSource {
  lookup(path: string): Answer<FileEntry | null>;
  /** Direct children of a committed directory, sorted by the bytes of their names. */
  list(dir: string): Answer<FileEntry[]>;
  /** Committed pages [first, first + count) of file `id`; null where no page is stored (zeros). */
  readPages(id: number, first: number, count: number): Answer<Array<Uint8Array | null>>;
  /** Stages pages of this call (a later stage of the same page replaces it); invisible to anyone else. */
  stage(pages: StagedPage[]): Answer<void>;
  /** Pages this call staged, null where it staged none. */
  readStaged(id: number, pages: number[]): Answer<Array<Uint8Array | null>>;
}

/** One call's view of the instance's files, handed to the sandbox with the call. */
export interface FilesPort {
  source: FilesSource;
  snapshot: FilesSnapshot;
  limits: FilesLimits;
  /** The instance's parameters, served read-only as /params/parameters. */
  parameters: Uint8Array;
  /** Instance id (32 bytes): seeds the call's deterministic randomness with the version. */
  instanceId: Uint8Array;
  /** Bytes of stdout and stderr kept per call (the rest is dropped and counted). */
  outputLimitBytes: number;
  /** The key `source` stages this call's pages under; handed back in FilesChanges. */
  stagingKey: string;
}

export interface NodeChange {
  path: string;
  /** The path's node after the call, or null: removed. */
  node: { kind: FileKind; id: number; size: number } | null;
}

/** A file whose content the call changed. */
export interface ContentChange {
  id: number;
  size: number;
  /**
   * Committed pages with index >= keepBelow are gone (a truncation); then every page the call
   * staged for this id replaces its page, whatever its index (a zero-length staged page is zeros).
   */
  keepBelow: number;
}

/** What a call did to the files; committed with its outcome, or dropped with its staging. */
export interface FilesChanges {
  /** Final node of every path the call touched, parents before children. */
  nodes: NodeChange[];
  contents: ContentChange[];
  /** Inode ids no path refers to any more (committed ones, and new ones that staged pages): their pages go. */
  removed: number[];
  nextId: number;
  /** The call's staging key (FilesTarget): its staged pages move into place with the commit. */
  stagingKey: string;
}
