// The WASI Preview 2 host of one component call: the import object jco's
// glue (instantiation "async") expects, keyed by unversioned interface name,
// over the call's FilesPort. "/" is the instance's files (read-write), and
// "/params" the instance's parameters (read-only). finish() stages the last
// written pages in the DO and answers what the call changed, for the DO to
// commit with the call's outcome; output() is the captured stdout/stderr.
import { EdgeError } from "../../errors.js";
import { HOST_COST } from "../../metering/fuel-costs.js";
import type { HostMeter } from "../../metering/fuel-meter.js";
import type { FilesChanges, FilesPort } from "../../protocol/files-port.js";
import { EMPTY_INPUT, OutputCapture, type CapturedOutput } from "./cli-output.js";
import { clockAndRandomImports } from "./clocks-random.js";
import { Descriptor, DirectoryEntryStream } from "./descriptor.js";
import { paramsVolumeSource } from "./params-source.js";
import { InputStream, IoError, OutputStream, Pollable, poll } from "./streams.js";
import { Volume } from "./volume.js";

export interface WasiOptions {
  meter: HostMeter;
  /** Fuel spent so far: the monotonic clock. */
  fuelUsed: () => number;
}

export interface WasiBinding {
  imports: Record<string, Record<string, unknown>>;
  /** Stages what is still buffered; undefined when the call changed nothing. */
  finish(): Promise<FilesChanges | undefined>;
  output(): CapturedOutput;
  /** Page bytes the host holds now (cache and write buffer), for tests of the memory bound. */
  heldBytes(): number;
}

// No terminal is ever attached (get-terminal-* answer none); the resource types must still exist.
class TerminalInput {
  readonly terminal = "input";
}
class TerminalOutput {
  readonly terminal = "output";
}

export function bindWasi(port: FilesPort, options: WasiOptions): WasiBinding {
  const { meter } = options;
  const files = new Volume(0, port.source, port.snapshot, port.limits, { readOnly: false, meter });
  const params = paramsVolumeSource(port.parameters, port.snapshot.committedAtMs);
  const paramsVolume = new Volume(1, params.source, params.snapshot, port.limits, { readOnly: true, meter });
  const preopens: Array<[Descriptor, string]> = [
    [new Descriptor(files, files.nodes.root, { read: true, mutateDirectory: true }), "/"],
    [new Descriptor(paramsVolume, paramsVolume.nodes.root, { read: true }), "/params"],
  ];
  const capture = new OutputCapture(port.outputLimitBytes, meter);
  const stdout = new OutputStream(capture.sink("stdout"));
  const stderr = new OutputStream(capture.sink("stderr"));
  const stdin = new InputStream(EMPTY_INPUT);
  const call = <T>(value: T) => {
    meter.charge(HOST_COST.call);
    return value;
  };
  const imports: Record<string, Record<string, unknown>> = {
    "wasi:filesystem/types": {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (error: IoError) => error.code,
    },
    "wasi:filesystem/preopens": { getDirectories: () => call(preopens.slice()) },
    "wasi:io/streams": { InputStream, OutputStream },
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": { Pollable, poll },
    "wasi:cli/stdin": { getStdin: () => call(stdin) },
    "wasi:cli/stdout": { getStdout: () => call(stdout) },
    "wasi:cli/stderr": { getStderr: () => call(stderr) },
    "wasi:cli/environment": {
      getEnvironment: (): Array<[string, string]> => call([]),
      getArguments: (): string[] => call([]),
      initialCwd: (): string | undefined => undefined,
    },
    "wasi:cli/exit": {
      exit: (status: { tag: "ok" | "err" }) => {
        throw exitError(status.tag === "ok" ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw exitError(code);
      },
    },
    "wasi:cli/terminal-input": { TerminalInput },
    "wasi:cli/terminal-output": { TerminalOutput },
    "wasi:cli/terminal-stdin": { getTerminalStdin: () => undefined },
    "wasi:cli/terminal-stdout": { getTerminalStdout: () => undefined },
    "wasi:cli/terminal-stderr": { getTerminalStderr: () => undefined },
    ...clockAndRandomImports({
      instanceId: port.instanceId,
      version: port.snapshot.version,
      committedAtMs: port.snapshot.committedAtMs,
      fuelUsed: options.fuelUsed,
      meter,
    }),
  };
  return {
    imports,
    async finish() {
      const nodes = files.nodes;
      if (!nodes.touched) return undefined;
      // Pages of files no path names any more would only be staged to be dropped.
      for (const inode of nodes.inodes()) if (!inode.linked) files.pages.forget(inode);
      await files.pages.flush();
      await files.pages.settle();
      const inodes = [...nodes.inodes()];
      return {
        nodes: nodes.nodeChanges(),
        contents: inodes
          .filter((inode) => inode.linked && inode.changed && !inode.isDirectory)
          .map((inode) => ({ id: inode.id, size: inode.size, keepBelow: inode.keepBelow })),
        removed: inodes
          .filter((inode) => !inode.linked && (inode.committedHash !== null || inode.staged.size > 0))
          .map((inode) => inode.id),
        nextId: nodes.allocatedId(),
        stagingKey: port.stagingKey,
      };
    },
    output: () => capture.output(),
    heldBytes: () => files.pages.heldBytes + paramsVolume.pages.heldBytes,
  };
}

/** wasi:cli/exit ends the call: nothing it did commits, as after a trap. */
function exitError(code: number): EdgeError {
  return new EdgeError(
    "CONTRACT_TRAP",
    `the contract exited (wasi:cli/exit, status ${code}) instead of returning`,
    {
      details: { exitCode: code },
    },
  );
}
