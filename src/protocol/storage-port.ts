// What crosses between the sandbox's edge_storage imports and the instance's
// linear storage in the DO: frames come in by index, changes go back with
// the call's reply and commit there with its outcome.
/** Loads frames from the DO; null for a frame that was never stored. */
export interface FrameSource {
  read(indices: number[]): Promise<Array<Uint8Array | null>> | Array<Uint8Array | null>;
}

export interface FrameWrite {
  index: number;
  /** null: the frame is all zero again and its row goes. */
  bytes: Uint8Array | null;
}

/** The instance's linear storage as one call sees it. */
export interface StoragePort {
  /** Loads frames by index (the DO's StorageFramesTarget). */
  frames: FrameSource;
  /** The logical size as the call starts. */
  size: number;
  /** Highest storage offset (exclusive) the call may touch (STORAGE_LIMIT_BYTES). */
  limitBytes: number;
  /** Frame bytes the call may hold in the sandbox (STORAGE_FRAME_BUDGET_BYTES). */
  frameBudgetBytes: number;
}

/** Frames whose bytes the call changed, and the new logical size. */
export interface StorageChanges {
  writes: FrameWrite[];
  size: number;
}

/** After a call: the frames the callee tree changed in the caller's instance, and its size now. */
export interface StorageRefresh {
  frames: number[];
  size: number;
}
