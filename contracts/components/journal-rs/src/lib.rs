//! journal-rs: an append-only journal with rotation, written as a WASI
//! component contract in plain Rust (`std` only, no crates), doing ordinary
//! file I/O through `std::fs`. It targets the world
//! `edge:contract/file-contract@0.1.0` (wit/edge-contract.wit):
//!
//! ```wit
//! export run: func(input: list<u8>) -> result<list<u8>, string>;
//! ```
//!
//! Build (scripts/build-components.mjs does this when Debian's toolchain is
//! installed):
//!
//! ```sh
//! /usr/bin/rustc --edition 2021 --target wasm32-wasi --crate-type cdylib -O \
//!   contracts/components/journal-rs/src/lib.rs -o journal-rs.core.wasm
//! ```
//!
//! then `componentEmbed` (the WIT) and `componentNew` with the preview1 reactor
//! adapter, which turns wasi-libc's preview1 calls into `wasi:filesystem`.
//!
//! Files live under the instance's `/` preopen, so relative paths such as
//! `journal/current.log` resolve there (wasi-libc starts in `/`); the
//! instance's parameters are the read-only file `/params/parameters`.
//!
//! Input: one command per line (UTF-8); the ok output of several commands is
//! their outputs joined by "\n", and the first failing command ends the run
//! with its error.
//!
//! - `append <text>`: appends `<text>\n` to `journal/current.log`; when the
//!   file then exceeds the rotation size it is renamed to `journal/<n>.log`
//!   (n = 0, 1, ...). Ok: `current.log <bytes>` or `rotated <n>.log <bytes>`.
//! - `read [n]`: segment `n`, or the current segment (empty if none). Ok: its
//!   bytes; err `no such segment: <n>`.
//! - `stats`: one `<name> <bytes>` line per segment, `current.log <bytes>`,
//!   then `total <bytes>`.
//! - `bulk-write <MiB>`: writes `bulk/data.bin` in 64 KiB writes. Ok:
//!   `wrote <bytes> sum <hex>`.
//! - `bulk-read`: streams `bulk/data.bin` back through one 64 KiB buffer. Ok:
//!   `read <bytes> sum <hex>` (the same sum as the write).
//! - `small-files <count>`: creates `small/<i>.dat`, 4 KiB each. Ok:
//!   `created <count> files`.
//!
//! `bulk-*` are what the benchmarks use to push a 64 MiB file through the
//! filesystem host: the guest only ever holds one 64 KiB buffer, so its
//! memory stays flat whatever the file size.
//!
//! Parameters (`/params/parameters`, optional): text lines `key=value`;
//! `rotate-bytes=<n>` sets the rotation size (default 1024).
//!
//! Every command prints one line to stdout; warnings go to stderr. Both are
//! the run's logs.
//!
//! ## The canonical ABI, by hand
//!
//! Without wit-bindgen the export is written against the lowering
//! wit-component expects for `run: func(input: list<u8>) -> result<list<u8>, string>`:
//! - the host calls `cabi_realloc(0, 0, 1, len)`, copies the input there and
//!   calls `run(ptr, len)`, handing the allocation over;
//! - `run` returns a pointer to a 4-aligned 12-byte return area: the result
//!   tag as a byte at 0 (0 ok, 1 err), the payload pointer at 4 and its length
//!   at 8 (the list<u8> of ok, or the UTF-8 string of err);
//! - after copying the result out, the host calls `cabi_post_run(ret)`, which
//!   frees the payload.
//!
//! A cdylib has no `_initialize` of its own: without one, wasm-ld wraps every
//! export in the C constructors (wasi-libc's preopen table among them), which
//! would rerun on every call. Exporting `_initialize` makes wasm-ld leave the
//! exports alone, and the component runs it once at instantiation.

use std::alloc::{self, Layout};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};

const JOURNAL_DIR: &str = "journal";
const CURRENT: &str = "journal/current.log";
const BULK_DIR: &str = "bulk";
const BULK_FILE: &str = "bulk/data.bin";
const SMALL_DIR: &str = "small";
const PARAMETERS: &str = "/params/parameters";
const DEFAULT_ROTATE_BYTES: u64 = 1024;
/// The one buffer the bulk commands stream through.
const BUFFER_BYTES: usize = 64 * 1024;
const SMALL_FILE_BYTES: usize = 4096;
/// Bounds that keep one run reasonable (the platform's own limits apply too).
const MAX_BULK_MIB: u64 = 1024;
const MAX_SMALL_FILES: u64 = 100_000;

// ---- component plumbing ----

extern "C" {
    /// Synthesised by wasm-ld: runs the C and Rust static constructors.
    fn __wasm_call_ctors();
}

/// Runs the constructors once; the component calls it at instantiation.
#[no_mangle]
pub extern "C" fn _initialize() {
    unsafe { __wasm_call_ctors() }
}

/// The canonical ABI allocator, used by the host (the input) and by the
/// preview1 adapter (its state and the strings and lists it receives).
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_size: usize,
    align: usize,
    new_size: usize,
) -> *mut u8 {
    if new_size == 0 {
        // A zero-sized allocation: any non-null aligned pointer will do.
        return align as *mut u8;
    }
    let ptr = if old_ptr.is_null() || old_size == 0 {
        alloc::alloc(Layout::from_size_align_unchecked(new_size, align))
    } else {
        alloc::realloc(
            old_ptr,
            Layout::from_size_align_unchecked(old_size, align),
            new_size,
        )
    };
    if ptr.is_null() {
        std::process::abort(); // out of memory: a trap
    }
    ptr
}

/// The return area: tag byte at 0, payload pointer at 4, length at 8.
#[repr(C, align(4))]
struct RetArea([u8; 12]);
static mut RET_AREA: RetArea = RetArea([0; 12]);

/// The world's `run` export (see "The canonical ABI, by hand").
#[no_mangle]
pub unsafe extern "C" fn run(ptr: *mut u8, len: usize) -> *mut u8 {
    // The host allocated the input with cabi_realloc(0, 0, 1, len): a Vec<u8>
    // with capacity len owns it now.
    let input = if len == 0 {
        Vec::new()
    } else {
        Vec::from_raw_parts(ptr, len, len)
    };
    let (tag, payload) = match run_commands(&input) {
        Ok(bytes) => (0u8, bytes),
        Err(message) => (1u8, message.into_bytes()),
    };
    let payload = payload.into_boxed_slice();
    let payload_len = payload.len();
    let payload_ptr = Box::into_raw(payload) as *mut u8;
    let area = std::ptr::addr_of_mut!(RET_AREA) as *mut u8;
    *area = tag;
    *(area.add(4) as *mut u32) = payload_ptr as u32;
    *(area.add(8) as *mut u32) = payload_len as u32;
    area
}

/// Frees the payload `run` returned, once the host has copied it out.
#[no_mangle]
pub unsafe extern "C" fn cabi_post_run(area: *mut u8) {
    let ptr = *(area.add(4) as *const u32) as usize as *mut u8;
    let len = *(area.add(8) as *const u32) as usize;
    drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
}

// ---- commands ----

struct Config {
    rotate_bytes: u64,
}

/// Reads `/params/parameters` (`key=value` lines); a missing file means defaults.
fn config() -> Config {
    let mut config = Config {
        rotate_bytes: DEFAULT_ROTATE_BYTES,
    };
    let text = match fs::read(PARAMETERS) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return config,
        Err(e) => {
            eprintln!("journal: cannot read {PARAMETERS}: {e}; using defaults");
            return config;
        }
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=') {
            Some(("rotate-bytes", value)) => match value.trim().parse::<u64>() {
                Ok(n) if n > 0 => config.rotate_bytes = n,
                _ => eprintln!("journal: ignoring bad rotate-bytes {value:?}"),
            },
            _ => eprintln!("journal: ignoring parameter line {line:?}"),
        }
    }
    config
}

fn run_commands(input: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(input).map_err(|_| "input is not UTF-8".to_string())?;
    let config = config();
    let mut outputs: Vec<Vec<u8>> = Vec::new();
    for line in text.split('\n').map(|l| l.trim_end_matches('\r')) {
        if line.trim().is_empty() {
            continue;
        }
        outputs.push(command(&config, line)?);
    }
    if outputs.is_empty() {
        return Err("empty input: append <text> | read [n] | stats | bulk-write <MiB> | bulk-read | small-files <count>".into());
    }
    Ok(outputs.join(&b'\n'))
}

fn command(config: &Config, line: &str) -> Result<Vec<u8>, String> {
    let line = line.trim_start();
    let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
    let arg = rest.trim();
    match verb {
        "append" => append(config, rest),
        "read" => read_segment(if arg.is_empty() {
            None
        } else {
            Some(number(arg, "read")?)
        }),
        "stats" => stats(),
        // Test probes: the platform's capability and rollback checks drive these.
        "probe-read" => probe_read(arg),
        "append-then-panic" => {
            append(config, rest)?;
            panic!("append-then-panic: the run traps after its append");
        }
        "bulk-write" => bulk_write(number(arg, "bulk-write")?),
        "bulk-read" => bulk_read(),
        "small-files" => small_files(number(arg, "small-files")?),
        _ => {
            eprintln!("journal: unknown command {verb:?}");
            Err(format!("unknown command: {verb}"))
        }
    }
}

fn number(arg: &str, verb: &str) -> Result<u64, String> {
    arg.parse::<u64>()
        .map_err(|_| format!("{verb}: expected a number, got {arg:?}"))
}

fn io_error(what: &str, e: io::Error) -> String {
    format!("{what}: {e}")
}

fn segment_path(n: u64) -> String {
    format!("{JOURNAL_DIR}/{n}.log")
}

/// The rotated segments' numbers, ascending.
fn segments() -> Result<Vec<u64>, String> {
    let entries = match fs::read_dir(JOURNAL_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("read_dir journal", e)),
    };
    let mut numbers = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read_dir journal", e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(n) = name
            .strip_suffix(".log")
            .and_then(|stem| stem.parse::<u64>().ok())
        {
            numbers.push(n);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

fn append(config: &Config, text: &str) -> Result<Vec<u8>, String> {
    fs::create_dir_all(JOURNAL_DIR).map_err(|e| io_error("create journal", e))?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(CURRENT)
        .map_err(|e| io_error("open current.log", e))?;
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    file.write_all(line.as_bytes())
        .map_err(|e| io_error("append", e))?;
    let size = file
        .metadata()
        .map_err(|e| io_error("stat current.log", e))?
        .len();
    drop(file);
    if size <= config.rotate_bytes {
        println!("append: {} bytes, current.log {size} bytes", line.len());
        return Ok(format!("current.log {size}").into_bytes());
    }
    let next = segments()?.last().map_or(0, |n| n + 1);
    let rotated = segment_path(next);
    fs::rename(CURRENT, &rotated).map_err(|e| io_error("rotate", e))?;
    println!(
        "append: {} bytes, rotated current.log ({size} bytes) to {next}.log",
        line.len()
    );
    Ok(format!("rotated {next}.log {size}").into_bytes())
}

fn read_segment(n: Option<u64>) -> Result<Vec<u8>, String> {
    let path = n.map_or_else(|| CURRENT.to_string(), segment_path);
    match fs::read(&path) {
        Ok(bytes) => {
            println!("read: {path} ({} bytes)", bytes.len());
            Ok(bytes)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            println!("read: {path}: no such segment");
            match n {
                Some(n) => Err(format!("no such segment: {n}")),
                None => Ok(Vec::new()), // an empty journal has an empty current segment
            }
        }
        Err(e) => Err(io_error("read", e)),
    }
}

fn stats() -> Result<Vec<u8>, String> {
    let mut out = String::new();
    let mut total = 0u64;
    let mut count = 0u64;
    for n in segments()? {
        let size = fs::metadata(segment_path(n))
            .map_err(|e| io_error("stat", e))?
            .len();
        out.push_str(&format!("{n}.log {size}\n"));
        total += size;
        count += 1;
    }
    match fs::metadata(CURRENT) {
        Ok(meta) => {
            out.push_str(&format!("current.log {}\n", meta.len()));
            total += meta.len();
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => out.push_str("current.log 0\n"),
        Err(e) => return Err(io_error("stat current.log", e)),
    }
    out.push_str(&format!("total {total}"));
    println!("stats: {count} rotated segments, {total} bytes");
    Ok(out.into_bytes())
}

/// Chunk `c` of the bulk file: a cheap deterministic pattern, different per chunk.
/// Chunk `c` of a bulk file: a fixed pattern (made once per buffer) stamped
/// with the chunk's number, so every chunk differs and the guest's own work
/// stays small next to the I/O being measured.
fn fill_chunk(buffer: &mut [u8], c: u64) {
    if buffer.len() >= 8 && buffer[8..].iter().all(|&b| b == 0) {
        for (i, byte) in buffer.iter_mut().enumerate() {
            *byte = (i as u8) ^ ((i >> 8) as u8) | 1;
        }
    }
    buffer[..8].copy_from_slice(&c.to_le_bytes());
}

/// A checksum over 8-byte words (the file is a whole number of 64 KiB chunks,
/// and the tail of a short read is folded bytewise), cheap next to the I/O.
struct Checksum(u64);
impl Checksum {
    fn update(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let w = u64::from_le_bytes([
                word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
            ]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        for &b in words.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}

fn bulk_write(mib: u64) -> Result<Vec<u8>, String> {
    if mib == 0 || mib > MAX_BULK_MIB {
        return Err(format!("bulk-write: 1..={MAX_BULK_MIB} MiB"));
    }
    fs::create_dir_all(BULK_DIR).map_err(|e| io_error("create bulk", e))?;
    let mut file = File::create(BULK_FILE).map_err(|e| io_error("create data.bin", e))?;
    let mut buffer = vec![0u8; BUFFER_BYTES];
    let mut sum = Checksum(0);
    let chunks = mib * (1024 * 1024 / BUFFER_BYTES as u64);
    for c in 0..chunks {
        fill_chunk(&mut buffer, c);
        sum.update(&buffer);
        file.write_all(&buffer)
            .map_err(|e| io_error("write data.bin", e))?;
    }
    drop(file);
    let bytes = chunks * BUFFER_BYTES as u64;
    println!("bulk-write: {bytes} bytes in {chunks} writes of {BUFFER_BYTES}");
    Ok(format!("wrote {bytes} sum {:016x}", sum.0).into_bytes())
}

fn bulk_read() -> Result<Vec<u8>, String> {
    let mut file = match File::open(BULK_FILE) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err("bulk-read: no bulk/data.bin (bulk-write first)".into())
        }
        Err(e) => return Err(io_error("open data.bin", e)),
    };
    let mut buffer = vec![0u8; BUFFER_BYTES];
    let mut sum = Checksum(0);
    let mut bytes = 0u64;
    let mut reads = 0u64;
    // Fill the buffer completely before folding it, so the checksum sees the
    // same 64 KiB chunks as bulk-write whatever sizes the host's reads return.
    loop {
        let mut filled = 0;
        while filled < BUFFER_BYTES {
            let n = file
                .read(&mut buffer[filled..])
                .map_err(|e| io_error("read data.bin", e))?;
            if n == 0 {
                break;
            }
            filled += n;
            reads += 1;
        }
        if filled == 0 {
            break;
        }
        sum.update(&buffer[..filled]);
        bytes += filled as u64;
        if filled < BUFFER_BYTES {
            break;
        }
    }
    println!("bulk-read: {bytes} bytes in {reads} reads");
    Ok(format!("read {bytes} sum {:016x}", sum.0).into_bytes())
}

fn small_files(count: u64) -> Result<Vec<u8>, String> {
    if count > MAX_SMALL_FILES {
        return Err(format!("small-files: at most {MAX_SMALL_FILES}"));
    }
    fs::create_dir_all(SMALL_DIR).map_err(|e| io_error("create small", e))?;
    let mut buffer = vec![0u8; SMALL_FILE_BYTES];
    for i in 0..count {
        fill_chunk(&mut buffer, i);
        let mut file = File::create(format!("{SMALL_DIR}/{i}.dat"))
            .map_err(|e| io_error("create small file", e))?;
        file.write_all(&buffer)
            .map_err(|e| io_error("write small file", e))?;
    }
    println!("small-files: {count} files of {SMALL_FILE_BYTES} bytes");
    Ok(format!("created {count} files").into_bytes())
}

/// `probe-read <path>`: reads a file by any path the guest chooses, answering
/// its length or the error std::fs gave, so tests can see paths that would
/// leave a preopen refused.
fn probe_read(path: &str) -> Result<Vec<u8>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(format!("read {} bytes", bytes.len()).into_bytes()),
        Err(e) => Err(format!("probe-read {path}: {:?}: {e}", e.kind())),
    }
}
