// kv-notebook: a key-value notebook written as a WASI component contract in
// AssemblyScript, with nothing but npm. It targets the world
// `edge:contract/file-contract@0.1.0` (wit/edge-contract.wit):
//
//   export run: func(input: list<u8>) -> result<list<u8>, string>;
//
// AssemblyScript has no WASI library any more, so this file declares the
// `wasi_snapshot_preview1` functions it calls with `@external`; the build
// (scripts/build-components.mjs) embeds the WIT and links jco's preview1
// reactor adapter, which turns those calls into `wasi:filesystem` and
// `wasi:io` calls on the platform's file host. Each key is one file,
// `notes/<key>`, under the instance's `/` preopen, so the notes persist across
// runs and can be read back over HTTP (`GET /v1/contracts/:id/files/notes/<key>`).
//
// Input: one command per line (UTF-8 text; the value is the rest of its line):
//   put <key> <value>   store value under key            -> ok "ok"
//   get <key>           read a value                     -> ok <value>, or err "no such key: <key>"
//   del <key>           delete a key                     -> ok "ok",    or err "no such key: <key>"
//   list                every key, byte-sorted, one a line -> ok "a\nb\n..."
// Keys are 1-64 bytes of [A-Za-z0-9._-], not "." or "..". The ok output of a
// multi-line input is each command's output joined by "\n"; the first failing
// command ends the run with its error. Every command prints one line to stdout
// (the run's logs).
//
// Canonical ABI, by hand (the lowering wit-component expects for `run`):
//   - the host allocates the input with `cabi_realloc(0, 0, 1, len)`, copies
//     the bytes and calls `run(ptr, len)`;
//   - `run` returns a pointer to a 12-byte return area, 4-aligned:
//     byte 0 the result tag (0 ok, 1 err), then at 4 the payload pointer and
//     at 8 its length (the list<u8> for ok, the UTF-8 string for err);
//   - `memory` and `cabi_realloc` are exported; there is no `cabi_post_run`
//     because nothing is freed (the stub runtime is a bump allocator and the
//     platform gives every run a fresh instance).
// The preview1 adapter also allocates its own state through `cabi_realloc`,
// so the AssemblyScript heap is the only allocator touching memory.

// ---- wasi_snapshot_preview1 ----

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_get")
declare function fd_prestat_get(fd: u32, buf: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
declare function fd_prestat_dir_name(fd: u32, path: usize, pathLen: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_open")
declare function path_open(
  fd: u32,
  dirflags: u32,
  path: usize,
  pathLen: usize,
  oflags: u16,
  rightsBase: u64,
  rightsInheriting: u64,
  fdflags: u16,
  fdOut: usize,
): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLen: usize, nread: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: usize, nwritten: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_readdir")
declare function fd_readdir(fd: u32, buf: usize, bufLen: usize, cookie: u64, bufused: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_unlink_file")
declare function path_unlink_file(fd: u32, path: usize, pathLen: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_create_directory")
declare function path_create_directory(fd: u32, path: usize, pathLen: usize): u16;

const ERRNO_SUCCESS: u16 = 0;
const ERRNO_BADF: u16 = 8;
const ERRNO_EXIST: u16 = 20;
const ERRNO_NOENT: u16 = 44;

const OFLAGS_CREAT: u16 = 1;
const OFLAGS_DIRECTORY: u16 = 2;
const OFLAGS_TRUNC: u16 = 8;

// The adapter derives read/write access from these rights bits.
const RIGHTS_FD_READ: u64 = 1 << 1;
const RIGHTS_FD_WRITE: u64 = 1 << 6;
const RIGHTS_FD_READDIR: u64 = 1 << 14;

const STDOUT: u32 = 1;
const NOTES_DIR = "notes";

// Scratch areas in static data (no heap allocation at start-up).
const RET_AREA: usize = memory.data(12, 4);
const IOV: usize = memory.data(8, 4);
const WORD: usize = memory.data(8, 8);
const PRESTAT: usize = memory.data(8, 4);
const CHUNK_BYTES: usize = 4096;
const CHUNK: usize = memory.data(<i32>CHUNK_BYTES, 8);

// ---- allocation and the result ----

/** The canonical ABI allocator: the host and the adapter allocate through it. */
export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  // heap.alloc aligns to 16 bytes, more than any canonical ABI type needs.
  if (oldPtr == 0) return heap.alloc(newSize);
  if (newSize <= oldSize) return oldPtr;
  const ptr = heap.alloc(newSize);
  memory.copy(ptr, oldPtr, oldSize);
  return ptr;
}

function finish(tag: u8, ptr: usize, len: usize): usize {
  store<u8>(RET_AREA, tag, 0);
  store<u32>(RET_AREA, <u32>ptr, 4);
  store<u32>(RET_AREA, <u32>len, 8);
  return RET_AREA;
}

function ok(bytes: Uint8Array): usize {
  return finish(0, bytes.dataStart, bytes.length);
}

function err(message: string): usize {
  const utf8 = String.UTF8.encode(message);
  return finish(1, changetype<usize>(utf8), utf8.byteLength);
}

// ---- small WASI helpers ----

function writeAll(fd: u32, ptr: usize, len: usize): u16 {
  while (len > 0) {
    store<u32>(IOV, <u32>ptr, 0);
    store<u32>(IOV, <u32>len, 4);
    const errno = fd_write(fd, IOV, 1, WORD);
    if (errno != ERRNO_SUCCESS) return errno;
    const n = <usize>load<u32>(WORD);
    if (n == 0) return ERRNO_BADF;
    ptr += n;
    len -= n;
  }
  return ERRNO_SUCCESS;
}

function log(line: string): void {
  const utf8 = String.UTF8.encode(line + "\n");
  writeAll(STDOUT, changetype<usize>(utf8), utf8.byteLength);
}

/** The descriptor of the `/` preopen: the adapter numbers preopens from 3, in the host's order. */
let rootFd: i32 = -1;
function root(): i32 {
  if (rootFd >= 0) return rootFd;
  for (let fd: u32 = 3; ; fd++) {
    const errno = fd_prestat_get(fd, PRESTAT);
    if (errno == ERRNO_BADF) break; // past the last preopen
    if (errno != ERRNO_SUCCESS || load<u8>(PRESTAT) != 0) continue; // 0: a directory
    const nameLen = <usize>load<u32>(PRESTAT, 4);
    if (nameLen > CHUNK_BYTES) continue;
    if (fd_prestat_dir_name(fd, CHUNK, nameLen) != ERRNO_SUCCESS) continue;
    if (String.UTF8.decodeUnsafe(CHUNK, nameLen) == "/") {
      rootFd = <i32>fd;
      return rootFd;
    }
  }
  return -1;
}

function openAt(path: string, oflags: u16, rights: u64): i32 {
  const dir = root();
  if (dir < 0) return -<i32>ERRNO_BADF;
  const utf8 = String.UTF8.encode(path);
  const errno = path_open(
    <u32>dir,
    0, // no symlink following
    changetype<usize>(utf8),
    utf8.byteLength,
    oflags,
    rights,
    rights,
    0,
    WORD,
  );
  if (errno != ERRNO_SUCCESS) return -<i32>errno;
  return load<i32>(WORD);
}

function errnoText(errno: u16): string {
  return "wasi errno " + errno.toString();
}

function validKey(key: string): bool {
  const n = key.length;
  if (n == 0 || n > 64 || key == "." || key == "..") return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && c != 46 && c != 95 && c != 45) return false; // . _ -
  }
  return true;
}

// ---- commands ----

/** The outcome of one command: output bytes, or an error message. */
class Outcome {
  constructor(
    public output: Uint8Array | null,
    public error: string | null,
  ) {}
}

function text(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

function put(key: string, value: Uint8Array): Outcome {
  const dir = root();
  if (dir < 0) return new Outcome(null, "no / preopen");
  const dirName = String.UTF8.encode(NOTES_DIR);
  const made = path_create_directory(<u32>dir, changetype<usize>(dirName), dirName.byteLength);
  if (made != ERRNO_SUCCESS && made != ERRNO_EXIST) return new Outcome(null, errnoText(made));
  const fd = openAt(NOTES_DIR + "/" + key, OFLAGS_CREAT | OFLAGS_TRUNC, RIGHTS_FD_WRITE);
  if (fd < 0) return new Outcome(null, errnoText(<u16>-fd));
  const wrote = writeAll(<u32>fd, value.dataStart, value.length);
  fd_close(<u32>fd);
  if (wrote != ERRNO_SUCCESS) return new Outcome(null, errnoText(wrote));
  log("put " + key + " (" + value.length.toString() + " bytes)");
  return new Outcome(text("ok"), null);
}

function get(key: string): Outcome {
  const fd = openAt(NOTES_DIR + "/" + key, 0, RIGHTS_FD_READ);
  if (fd == -<i32>ERRNO_NOENT) {
    log("get " + key + ": no such key");
    return new Outcome(null, "no such key: " + key);
  }
  if (fd < 0) return new Outcome(null, errnoText(<u16>-fd));
  let value = new Uint8Array(0);
  while (true) {
    store<u32>(IOV, <u32>CHUNK, 0);
    store<u32>(IOV, <u32>CHUNK_BYTES, 4);
    const errno = fd_read(<u32>fd, IOV, 1, WORD);
    if (errno != ERRNO_SUCCESS) {
      fd_close(<u32>fd);
      return new Outcome(null, errnoText(errno));
    }
    const n = <i32>load<u32>(WORD);
    if (n == 0) break; // end of file
    const grown = new Uint8Array(value.length + n);
    grown.set(value);
    memory.copy(grown.dataStart + <usize>value.length, CHUNK, <usize>n);
    value = grown;
  }
  fd_close(<u32>fd);
  log("get " + key + " (" + value.length.toString() + " bytes)");
  return new Outcome(value, null);
}

function del(key: string): Outcome {
  const dir = root();
  if (dir < 0) return new Outcome(null, "no / preopen");
  const path = String.UTF8.encode(NOTES_DIR + "/" + key);
  const errno = path_unlink_file(<u32>dir, changetype<usize>(path), path.byteLength);
  if (errno == ERRNO_NOENT) {
    log("del " + key + ": no such key");
    return new Outcome(null, "no such key: " + key);
  }
  if (errno != ERRNO_SUCCESS) return new Outcome(null, errnoText(errno));
  log("del " + key);
  return new Outcome(text("ok"), null);
}

function list(): Outcome {
  const fd = openAt(NOTES_DIR, OFLAGS_DIRECTORY, RIGHTS_FD_READDIR);
  const keys = new Array<string>();
  if (fd == -<i32>ERRNO_NOENT) {
    log("list: 0 keys");
    return new Outcome(text(""), null);
  }
  if (fd < 0) return new Outcome(null, errnoText(<u16>-fd));
  // fd_readdir fills the buffer with (24-byte dirent, name) records; a record
  // cut off at the end is read again from its cookie on the next call.
  let cookie: u64 = 0;
  while (true) {
    const errno = fd_readdir(<u32>fd, CHUNK, CHUNK_BYTES, cookie, WORD);
    if (errno != ERRNO_SUCCESS) {
      fd_close(<u32>fd);
      return new Outcome(null, errnoText(errno));
    }
    const used = <usize>load<u32>(WORD);
    let at: usize = 0;
    let progressed = false;
    while (at + 24 <= used) {
      const next = load<u64>(CHUNK + at, 0);
      const nameLen = <usize>load<u32>(CHUNK + at, 16);
      if (at + 24 + nameLen > used) break; // truncated: fetch again from `cookie`
      const name = String.UTF8.decodeUnsafe(CHUNK + at + 24, nameLen);
      if (name != "." && name != "..") keys.push(name);
      cookie = next;
      progressed = true;
      at += 24 + nameLen;
    }
    if (used < CHUNK_BYTES || !progressed) break; // a short buffer: no more entries
  }
  fd_close(<u32>fd);
  keys.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
  log("list: " + keys.length.toString() + " keys");
  return new Outcome(text(keys.join("\n")), null);
}

// ---- parsing ----

function isSpace(c: u8): bool {
  return c == 32 || c == 9 || c == 13;
}

/** Runs one command line (no trailing newline). */
function command(line: Uint8Array): Outcome {
  let end = line.length;
  while (end > 0 && isSpace(line[end - 1])) end--;
  let at = 0;
  while (at < end && isSpace(line[at])) at++;
  let wordEnd = at;
  while (wordEnd < end && !isSpace(line[wordEnd])) wordEnd++;
  const verb = String.UTF8.decodeUnsafe(line.dataStart + <usize>at, <usize>(wordEnd - at));
  at = wordEnd;
  while (at < end && isSpace(line[at])) at++;
  let keyEnd = at;
  while (keyEnd < end && !isSpace(line[keyEnd])) keyEnd++;
  const key = String.UTF8.decodeUnsafe(line.dataStart + <usize>at, <usize>(keyEnd - at));
  // The value is the rest of the line after one separator, spaces kept.
  const valueStart = keyEnd < end ? keyEnd + 1 : end;

  if (verb == "list") {
    if (key.length != 0) return new Outcome(null, "usage: list");
    return list();
  }
  if (verb != "put" && verb != "get" && verb != "del") {
    log("unknown command: " + verb);
    return new Outcome(null, "unknown command: " + verb + " (put, get, del, list)");
  }
  if (!validKey(key)) {
    log(verb + ": bad key");
    return new Outcome(null, "bad key: 1-64 bytes of [A-Za-z0-9._-]");
  }
  if (verb == "put") return put(key, line.slice(valueStart, end));
  if (valueStart != end) return new Outcome(null, "usage: " + verb + " <key>");
  if (verb == "get") return get(key);
  return del(key);
}

/** The world's `run` export, lowered by hand (see the top of this file). */
export function run(ptr: usize, len: usize): usize {
  const input = new Uint8Array(<i32>len);
  memory.copy(input.dataStart, ptr, len);
  const outputs = new Array<Uint8Array>();
  let total = 0;
  let start = 0;
  for (let i = 0; i <= input.length; i++) {
    if (i < input.length && input[i] != 10) continue;
    const line = input.subarray(start, i);
    start = i + 1;
    let blank = true;
    for (let j = 0; j < line.length; j++) if (!isSpace(line[j])) blank = false;
    if (blank) continue;
    const outcome = command(line);
    const error = outcome.error;
    if (error !== null) return err(error);
    const output = outcome.output!;
    if (outputs.length > 0) total += 1;
    total += output.length;
    outputs.push(output);
  }
  if (outputs.length == 0) return err("empty input: put <key> <value> | get <key> | del <key> | list");
  const joined = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < outputs.length; i++) {
    if (i > 0) joined[at++] = 10;
    joined.set(outputs[i], at);
    at += outputs[i].length;
  }
  return ok(joined);
}
