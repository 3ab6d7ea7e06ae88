// Platform limits, enforced in code because local workerd is laxer than production.

const KiB = 1024;
const MiB = 1024 * KiB;

/** State and storage frame size: the 64 KiB refill window of SPEC section 5, far below the 2 MB row cap. */
export const FRAME_BYTES = 64 * KiB;

/** Cloudflare DO SQLite: a single value or row may not exceed 2 MB. */
export const MAX_ROW_BYTES = 2_000_000;

/** Cloudflare DO SQLite: a statement's text may not exceed 100 KB. */
export const MAX_SQL_STATEMENT_BYTES = 100_000;

/** Cloudflare DO SQLite: at most 100 bound parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;

/** SPEC section 5: state <= 256 MiB by default; configurable with MAX_STATE_BYTES. */
export const DEFAULT_MAX_STATE_BYTES = 256 * MiB;

/** Cloudflare DO: 10 GB per object bounds any configured state limit. */
export const HARD_MAX_STATE_BYTES = 10 * 1000 * MiB;

/** Workers script size limit (10 MB compressed on paid plans): the loader must accept the module. */
export const MAX_CODE_BYTES = 10 * MiB;

/** Parameters live in the instance's metadata row, so they stay well under the 2 MB row cap. */
export const MAX_PARAMETERS_BYTES = 1 * MiB;

/** JSON request bodies: base64 parameters (4/3 of 1 MiB) plus framing. */
export const MAX_JSON_BODY_BYTES = 2 * MiB;

/** Frames written per SQLite transaction while a state streams in: commits are the cost, 1 MiB is the buffer. */
export const WRITE_BATCH_FRAMES = 16;

/** Frames fetched per SQL round trip while streaming a state out (1 MiB of read-ahead). */
export const READ_BATCH_FRAMES = 16;

/** A wasm page. */
export const WASM_PAGE_BYTES = 64 * KiB;

/** SPEC section 5: guest memory <= 64 MiB by default (configurable with GUEST_MEMORY_BYTES). */
export const DEFAULT_GUEST_MEMORY_BYTES = 64 * MiB;

/** The sandbox isolate has 128 MB for everything, host runtime included. */
export const HARD_MAX_GUEST_MEMORY_BYTES = 96 * MiB;

/** State bytes per JSPI round trip: 16 frames amortize the ~0.2 ms RPC; capped at 1 MiB of host memory. */
export const DEFAULT_READ_AHEAD_BYTES = 1 * MiB;
export const MAX_READ_AHEAD_BYTES = 1 * MiB;

/** CPU per contract call (the Worker Loader's per-call limit, a production backstop); Workers allow up to 5 minutes. */
export const DEFAULT_CONTRACT_CPU_MS = 30_000;

/**
 * Fuel per request (FUEL_PER_CALL): a runaway loop stops after ~5 s of wall clock on the 2-core dev
 * machine, and a 64 MiB streamed append-log validation fits even in its smallest entries (3.3e9;
 * 4.6e6 in 1 MiB entries). docs/metering.md has the measurements.
 */
export const DEFAULT_FUEL_PER_CALL = 4_000_000_000;

/** A deployment may raise the budget this far (~100 s of CPU); x-fuel-limit may only lower it. */
export const MAX_FUEL_PER_CALL = 100_000_000_000;

/**
 * Fuel granted at a time (FUEL_SLICE), ~0.5-1 ms of CPU: at each grant a JSPI guest may pause for
 * other requests (src/sandbox/pause-for-others.ts decides), so a slice bounds how long it holds the thread.
 */
export const DEFAULT_FUEL_SLICE = 1_000_000;

/**
 * Nested calls a contract may make (CALL_DEPTH_LIMIT), checked by the metered code itself so the
 * limit is the same on every runtime. V8's own stack (~1 MB, JSPI stacks alike) took ~2,100 frames
 * of 50 live i64 locals and ~17,000 without locals on a cold start here, so this fires first for
 * frames of up to ~650 bytes; larger frames can still hit V8's limit, reported with the same code.
 */
export const DEFAULT_CALL_DEPTH_LIMIT = 1_500;

/**
 * A JSPI guest lets other requests run once this much time passed since it last did (PAUSE_EVERY_MS).
 * Each pause costs ~1 ms in workerd: 4 ms keeps others' waits to a few ms for ~20% on long calls.
 */
export const DEFAULT_PAUSE_EVERY_MS = 4;

/** Wall-clock backstop for one sandbox call (CONTRACT_DEADLINE_MS); fuel normally ends a call long before. */
export const DEFAULT_CONTRACT_DEADLINE_MS = 30_000;

/** One log line at most (longer messages are cut). */
export const MAX_LOG_LINE_BYTES = 4 * KiB;

/** Log lines one contract execution may write (freenet_log): enough to debug, bounded against floods. */
export const MAX_LOG_LINES_PER_CALL = 100;

/** Log bytes one contract execution may write, all lines together. */
export const MAX_LOG_BYTES_PER_CALL = 16 * KiB;

/** Update data, summaries and related states pass to the guest whole, so they stay well inside its memory. */
export const MAX_UPDATE_BYTES = 16 * MiB;

/** Related-contract states fetched for one call, in total. */
export const MAX_RELATED_BYTES = 16 * MiB;

/** Rounds of RequestRelated a call may go through before it is answered 409. */
export const MAX_RELATED_ROUNDS = 3;

/** Distinct related ids one RequestRelated may name: freenet-core's MAX_RELATED_CONTRACTS_PER_REQUEST. */
export const MAX_RELATED_PER_ROUND = 10;

/** Related ids one request may look up over all its rounds. */
export const MAX_RELATED_TOTAL = 16;

/** Every lookup costs this much of MAX_RELATED_BYTES, found or not: a miss is a DO round trip too. */
export const RELATED_LOOKUP_BYTES = 64 * KiB;

/** Related states fetched at once (each is a DO round trip and a stream). */
export const RELATED_FETCH_CONCURRENCY = 4;

/** All lookups of one round, as freenet-core's RELATED_FETCH_TIMEOUT. */
export const RELATED_FETCH_TIMEOUT_MS = 10_000;

/** SPEC section 6: linear storage is a 1 GiB logical space by default (STORAGE_LIMIT_BYTES). */
export const DEFAULT_STORAGE_LIMIT_BYTES = 1024 * MiB;

/** Cloudflare DO: 10 GB per object bounds linear storage too. */
export const HARD_MAX_STORAGE_LIMIT_BYTES = 8 * 1024 * MiB;

/**
 * Storage frames one call may hold in the sandbox (loaded copies + changes):
 * beside a 64 MiB guest this keeps the isolate inside its 128 MB.
 */
export const DEFAULT_STORAGE_FRAME_BUDGET_BYTES = 32 * MiB;

/** SPEC section 7: all of an instance's leases together (LEASE_QUOTA_BYTES). */
export const DEFAULT_LEASE_QUOTA_BYTES = 256 * MiB;

/** One lease's arena at most (LEASE_MAX_BYTES); a guest reads it through its own memory. */
export const DEFAULT_LEASE_MAX_BYTES = 64 * MiB;

/** The instance's default fbmu arena (FABRIC_ARENA_BYTES). */
export const DEFAULT_FABRIC_ARENA_BYTES = 16 * MiB;

/** The longest a lease is taken or renewed for at a time (LEASE_MAX_SECS): 30 days keeps expiries ordinary dates. */
export const DEFAULT_LEASE_MAX_SECS = 30 * 86_400;

/** Bytes one inspection read (linear storage, lease bytes) returns: page larger ranges with `offset`. */
export const MAX_READ_BYTES_PER_REQUEST = 16 * MiB;

/** Frames of an expired lease are kept this long before the alarm reclaims them (LEASE_GRACE_SECS). */
export const DEFAULT_LEASE_GRACE_SECS = 300;
