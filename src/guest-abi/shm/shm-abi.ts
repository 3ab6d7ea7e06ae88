// The constants of the test:shm core ABI (docs/memory-blocks.md): the error
// enum, the attach-options flags and the return-area layouts.
export const ShmError = { NO_STORAGE: 0, BUSY: 1, WRONG_SIZE: 2, INTERNAL: 3 } as const;
export type ShmErrorCode = (typeof ShmError)[keyof typeof ShmError];

export const ATTACH_WRITE = 1;
export const ATTACH_SHARED = 2;

/** result<memory-area, error>: discriminant +0, addr +4, size +8, or the error at +4. */
export const ATTACH_RESULT_BYTES = 12;
/** result<_, error>: discriminant +0, the error at +1. */
export const ADD_STORAGE_RESULT_BYTES = 2;
/** tuple<memory-block, bytes>: the block +0, initialized bytes +4. */
export const ALLOCATE_RESULT_BYTES = 8;
/** block-stream.next: tag +0, block +4, sequence u64 +8, missed u32 +16, publisher id +20. */
export const NEXT_RESULT_BYTES = 56;

export const NextTag = { BLOCK: 0, EMPTY: 1, GAP: 2 } as const;
