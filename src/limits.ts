// Platform limits, enforced in code because local workerd is laxer than production.

const KiB = 1024;
const MiB = 1024 * KiB;

/** State and storage frame size: the 64 KiB refill window of the Freenet ABI, far below the 2 MB row cap. */
export const FRAME_BYTES = 64 * KiB;

/** Cloudflare DO SQLite: a single value or row may not exceed 2 MB. */
export const MAX_ROW_BYTES = 2_000_000;

/** Cloudflare DO SQLite: a statement's text may not exceed 100 KB. */
export const MAX_SQL_STATEMENT_BYTES = 100_000;

/** Cloudflare DO SQLite: at most 100 bound parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;

/** State <= 256 MiB by default (README "Limits"); configurable with MAX_STATE_BYTES. */
export const DEFAULT_MAX_STATE_BYTES = 256 * MiB;

/** Cloudflare DO: 10 GB per object bounds any configured state limit. */
export const HARD_MAX_STATE_BYTES = 10 * 1000 * MiB;

/** Workers script size limit (10 MB compressed on paid plans): the loader must accept the module. */
export const MAX_CODE_BYTES = 10 * MiB;

/** Parameters live in the instance's metadata row, so they stay well under the 2 MB row cap. */
export const MAX_PARAMETERS_BYTES = 1 * MiB;

/** JSON request bodies: base64 parameters (4/3 of 1 MiB) plus framing. */
export const MAX_JSON_BODY_BYTES = 2 * MiB;

/** Lease frames written per SQLite transaction while they stream in: commits are the cost, 1 MiB is the buffer. */
export const WRITE_BATCH_FRAMES = 16;

/**
 * State bytes per SQLite row (16 frames): DO SQLite writes 1 MiB rows at 295-313 MiB/s against
 * 214-254 for 64 KiB rows (issue 16), and 1 MiB stays under the 2 MB row cap with room to spare.
 * The guest still sees 64 KiB frames; src/store/state/row-layout.ts maps one onto the other.
 */
export const ROW_FRAMES = 16;
export const ROW_BYTES = ROW_FRAMES * FRAME_BYTES;

/**
 * State rows written per SQLite transaction while a state streams in: commits are the cost, this many
 * MiB the buffer. 8 measured no faster than 4 (64 MiB PUT medians 59 vs 57 MiB/s over 4 and 7 runs),
 * so an upload holds 4 MiB.
 */
export const WRITE_BATCH_ROWS = 4;

/** State bytes fetched per SELECT while streaming out (4 rows of 1 MiB, measured fastest for a GET; 64 old 64 KiB rows). */
export const READ_BATCH_BYTES = 4 * MiB;
/** A replaced version up to this size is dropped at once (256 KiB of overflow pages, one row); larger ones wait for the alarm (SQLite walks every overflow page). */
export const INLINE_COLLECT_BYTES = 256 * KiB;

/** Storage frames one `idx IN (...)` SELECT fetches: a 1 MiB result, far inside 100 bound parameters. */
export const FRAMES_PER_SELECT = 16;

/** A wasm page. */
export const WASM_PAGE_BYTES = 64 * KiB;

/** Guest memory <= 64 MiB by default (configurable with GUEST_MEMORY_BYTES). */
export const DEFAULT_GUEST_MEMORY_BYTES = 64 * MiB;

/** The sandbox isolate has 128 MB for everything, host runtime included. */
export const HARD_MAX_GUEST_MEMORY_BYTES = 96 * MiB;

/** State bytes per JSPI round trip: 16 frames amortize the ~0.2 ms RPC; capped at 1 MiB of host memory. */
export const DEFAULT_READ_AHEAD_BYTES = 1 * MiB;
export const MAX_READ_AHEAD_BYTES = 1 * MiB;

/** CPU per contract call (the Worker Loader's per-call limit, a production backstop); Workers allow up to 5 minutes. */
export const DEFAULT_CONTRACT_CPU_MS = 30_000;

/** CONTRACT_CPU_MS at most: Workers give an invocation at most 5 minutes of CPU. */
export const HARD_MAX_CONTRACT_CPU_MS = 5 * 60_000;

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

/** CALL_DEPTH_LIMIT at most: the metered code counts depth in an i32 global, and V8's stack ends far sooner. */
export const HARD_MAX_CALL_DEPTH_LIMIT = 1_000_000;

/**
 * A JSPI guest lets other requests run once this much time passed since it last did (PAUSE_EVERY_MS).
 * Each pause costs ~1 ms in workerd: 4 ms keeps others' waits to a few ms for ~20% on long calls.
 */
export const DEFAULT_PAUSE_EVERY_MS = 4;

/** PAUSE_EVERY_MS at most: a JSPI guest holds the thread a second between pauses, others wait that long at worst. */
export const HARD_MAX_PAUSE_EVERY_MS = 1_000;

/** Wall-clock backstop for one sandbox call (CONTRACT_DEADLINE_MS); fuel normally ends a call long before. */
export const DEFAULT_CONTRACT_DEADLINE_MS = 30_000;

/** CONTRACT_DEADLINE_MS at most: 15 minutes, the longest a client should wait on one call; fuel ends calls long before. */
export const HARD_MAX_CONTRACT_DEADLINE_MS = 15 * 60_000;

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

/** Linear storage is a 1 GiB logical space by default (STORAGE_LIMIT_BYTES). */
export const DEFAULT_STORAGE_LIMIT_BYTES = 1024 * MiB;

/** Cloudflare DO: 10 GB per object bounds linear storage too. */
export const HARD_MAX_STORAGE_LIMIT_BYTES = 8 * 1024 * MiB;

/**
 * Storage frames one call may hold in the sandbox (loaded copies + changes):
 * beside a 64 MiB guest this keeps the isolate inside its 128 MB.
 */
export const DEFAULT_STORAGE_FRAME_BUDGET_BYTES = 32 * MiB;

/** All of an instance's leases together (LEASE_QUOTA_BYTES). */
export const DEFAULT_LEASE_QUOTA_BYTES = 256 * MiB;

/** One lease's arena at most (LEASE_MAX_BYTES); a guest reads it through its own memory. */
export const DEFAULT_LEASE_MAX_BYTES = 64 * MiB;

/** The instance's default fbmu arena (FABRIC_ARENA_BYTES). */
export const DEFAULT_FABRIC_ARENA_BYTES = 16 * MiB;

/** The longest a lease is taken or renewed for at a time (LEASE_MAX_SECS): 30 days keeps expiries ordinary dates. */
export const DEFAULT_LEASE_MAX_SECS = 30 * 86_400;

/** LEASE_MAX_SECS at most: 366 days, a year even in a leap year. */
export const HARD_MAX_LEASE_SECS = 366 * 86_400;

/** Bytes one inspection read (linear storage, lease bytes) returns: page larger ranges with `offset`. */
export const MAX_READ_BYTES_PER_REQUEST = 16 * MiB;

/** Frames of an expired lease are kept this long before the alarm reclaims them (LEASE_GRACE_SECS). */
export const DEFAULT_LEASE_GRACE_SECS = 300;

/** LEASE_GRACE_SECS at most: 30 days, as the frames of a dead lease hold quota and DO storage until reclaimed. */
export const HARD_MAX_LEASE_GRACE_SECS = 30 * 86_400;

/** crypto.getRandomValues fills at most 64 KiB per call (Web Crypto's quota), so freenet_rand fills in pieces. */
export const RANDOM_CHUNK_BYTES = 64 * KiB;

/** One fbmu read or write moves at most this much (larger transfers take several calls): 16 MiB of host memory. */
export const MAX_FABRIC_TRANSFER_BYTES = 16 * MiB;

/** Storage frames per sandbox round trip: a 1 MiB window, as state reads (MAX_READ_AHEAD_BYTES). */
export const MAX_FRAMES_PER_READ = 16;

/** Result bytes (new state, summary, delta) stream out of guest memory in copies this big: one frame at a time. */
export const REPLY_CHUNK_BYTES = 64 * KiB;

/**
 * A state up to this size rides in the sandbox request and a result up to it in the reply: below one
 * frame, a read-back RPC or a cross-isolate stream costs the thread more than copying the bytes.
 */
export const INLINE_CALL_BYTES = 64 * KiB;

/** A state hash over at most this many bytes is computed in JS (~0.2 ms at worst) rather than through a DigestStream (~0.3 ms to open and close). */
export const SMALL_DIGEST_BYTES = 16 * KiB;

/** How long past CONTRACT_DEADLINE_MS the DO still waits for a sandbox, which checks the deadline at its next pause. */
export const SANDBOX_DEADLINE_GRACE_MS = 5_000;

// Component files (wasi:filesystem), per instance; see docs/component-contracts.md.
/** One file at most: four times the default state cap, far below the DO's 10 GB. */
export const FILES_MAX_FILE_BYTES = 1024 * MiB;
/** Files and directories per instance: a directory's hash reads all its entries, so they stay bounded. */
export const FILES_MAX_NODES = 10_000;
/** All file bytes of an instance: a fifth of a DO's 10 GB, leaving room for versions and staging. */
export const FILES_MAX_TOTAL_BYTES = 2 * 1024 * MiB;
/** UTF-8 bytes of a path below its preopen (Linux's PATH_MAX). */
export const FILES_MAX_PATH_BYTES = 4096;
/** Written page bytes a call holds in the sandbox before staging them in the DO: 16 pages per RPC. */
export const FILES_WRITE_BUFFER_BYTES = 1 * MiB;
/** Pages a read stream asks the DO for at once: a 1 MiB window, as state reads. */
export const FILES_READ_AHEAD_PAGES = 16;
/** stdout plus stderr a component call keeps (base64 in two response headers stays under 32 KiB). */
export const COMPONENT_OUTPUT_BYTES = 16 * KiB;
/** Pages one files RPC moves: 1 MiB, as a state window. */
export const MAX_FILE_PAGES_PER_RPC = 16;

// Contract-to-contract calls (edge_call) and their transactions; see docs/transactions.md.
/** Frames of one call tree on the stack: each level is a DO and a sandbox isolate waiting on the next. */
export const MAX_CALL_DEPTH = 8;
/** Calls one transaction may make in all: bounds its participants, its locks and its call-tree header. */
export const MAX_CALLS_PER_TRANSACTION = 64;
/** A call's input and its answer each: copied whole through two RPC hops and guest memory. */
export const MAX_CALL_BYTES = 1 * MiB;
/** The longest an older transaction (or a local writer) waits for an instance another transaction holds. */
export const TXN_LOCK_WAIT_MS = 2_000;
/** A participant asks the coordinator about a transaction it still holds after this long (alarm). */
export const TXN_IN_DOUBT_MS = DEFAULT_CONTRACT_DEADLINE_MS + SANDBOX_DEADLINE_GRACE_MS;
/** A coordinator retries telling a participant its decision after this long (alarm). */
export const TXN_SETTLE_RETRY_MS = 5_000;
/** A decided transaction's record stays this long once every participant has it (GET /v1/transactions). */
export const TXN_OUTCOME_RETENTION_MS = 24 * 3_600_000;

// Memory blocks and pub-sub (test:shm); see docs/memory-blocks.md.
/** One block: copied whole into guest memory at attach, so well inside the 128 MB isolate. */
export const MAX_BLOCK_BYTES = 16 * MiB;
/** Live block bytes of one execution, and block bytes an instance keeps (feed and inbox) each. */
export const BLOCK_QUOTA_BYTES = 64 * MiB;
/** Donated attach slots per execution: attach scans them, so they stay few. */
export const MAX_STORAGE_SLOTS = 256;
/** Blocks one call passes, and their bytes: carried whole through two RPC hops each way. */
export const MAX_CALL_BLOCKS = 16;
export const MAX_CALL_BLOCK_BYTES = 16 * MiB;
/** One publication: staged as one SQLite row before commit (rows stay under the 2 MB limit). */
export const MAX_PUBLICATION_BYTES = 1 * MiB;
/** Allocated, unpublished blocks one publisher handle may have out (the seed's ring of elements). */
export const MAX_PUBLISHER_ELEMENTS = 64;
/** Publications a feed keeps: a subscriber further behind is told of a gap. 64 x 1 MiB = the quota. */
export const RETAINED_PUBLICATIONS = 64;
/** Entries an inbox holds per publisher: the bounded queue of one subscription. */
export const INBOX_CAPACITY = 64;
/** Inbox entries, and their bytes, one run can read (shipped with the call's port). */
export const INBOX_WINDOW_ENTRIES = 64;
export const INBOX_WINDOW_BYTES = 8 * MiB;
/** Subscriptions per feed: a publish fans out to each before its run answers. */
export const MAX_SUBSCRIPTIONS = 64;
/** Publications one delivery RPC carries (and at most this many bytes). */
export const DELIVERY_BATCH = 16;
export const DELIVERY_BATCH_BYTES = 4 * MiB;
/** The alarm retries a delivery that failed or met a full inbox after this long. */
export const DELIVERY_RETRY_MS = 1_000;

// Live subscriptions over WebSockets (GET /v1/contracts/:id/subscribe); see README "Subscriptions".
/** Bytes per binary frame of a state or delta: Cloudflare's WebSocket messages stop at 1 MiB. */
export const WS_CHUNK_BYTES = 512 * KiB;
/** A state or delta up to this size rides base64 in its JSON header: one frame per subscriber. */
export const WS_INLINE_BYTES = 16 * KiB;
/** A summary rides base64 in a JSON message (and in the connect URL, at most 8 KiB there). */
export const WS_MAX_SUMMARY_BYTES = 256 * KiB;
export const WS_MAX_CONNECT_SUMMARY_CHARS = 8 * KiB;
/** Messages a subscriber may leave unacknowledged before it is closed as too slow (4008); the client acks every 8th. */
export const WS_MAX_UNACKED = 32;
/** Bytes it may leave unacknowledged (two whole states at WS_MAX_STATE_BYTES); one message always goes. */
export const WS_MAX_UNACKED_BYTES = 32 * MiB;
/** A round starts this long after the commit: the writer's answer shares the one thread with it. */
export const WS_NOTIFY_AFTER_MS = 5;
/** Sockets per instance: each notification walks them all (hibernation allows 32,768). */
export const WS_MAX_SOCKETS = 4096;
/** A whole state sent over a socket (a subscriber without a summary); larger ones it reads with GET .../state. */
export const WS_MAX_STATE_BYTES = 16 * MiB;
