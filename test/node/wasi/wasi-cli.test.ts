// The deterministic rest of the WASI host: clocks, randomness, environment,
// stdin/stdout/stderr capture and exit (src/guest-abi/wasi).
import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import type { InputStream, OutputStream } from "../../../src/guest-abi/wasi/streams.js";
import { bindWasi } from "../../../src/guest-abi/wasi/wasi-imports.js";
import { UNMETERED, type HostMeter } from "../../../src/metering/fuel-meter.js";
import { codeOf, text, utf8 } from "../../support/conformance/wasi-files-calls.js";
import { memoryFilesHost } from "../conformance/wasi-files-host.js";

type Fn = (...args: never[]) => unknown;

function bind(
  options: { instance?: number; outputLimitBytes?: number; fuel?: () => number; meter?: HostMeter } = {},
) {
  const store = memoryFilesHost.open({}, new Uint8Array(32).fill(options.instance ?? 1));
  const port = store.port({ outputLimitBytes: options.outputLimitBytes ?? 1000 });
  const wasi = bindWasi(port, {
    meter: options.meter ?? UNMETERED,
    fuelUsed: options.fuel ?? (() => 0),
  });
  const get = <T extends Fn>(iface: string, name: string) => wasi.imports[iface]?.[name] as T;
  return { store, wasi, get };
}

describe("clocks", () => {
  it("the wall clock is the commit time of the current version, the monotonic clock the fuel spent", async () => {
    const { store, wasi: first } = bind();
    expect((first.imports["wasi:clocks/wall-clock"]!.now as () => unknown)()).toEqual({
      seconds: 0n,
      nanoseconds: 0,
    });
    const changes = await bindWasi(store.port(), { meter: UNMETERED, fuelUsed: () => 0 }).finish();
    expect(changes).toBeUndefined();
    let fuel = 1234;
    const { get } = bind({ fuel: () => fuel });
    const now = get<() => bigint>("wasi:clocks/monotonic-clock", "now");
    expect(now()).toBe(1234n);
    fuel = 5000;
    expect(now()).toBe(5000n);
    expect(get<() => bigint>("wasi:clocks/monotonic-clock", "resolution")()).toBe(1n);
    const pollable = get<(d: bigint) => { ready(): boolean }>(
      "wasi:clocks/monotonic-clock",
      "subscribeDuration",
    )(10n);
    expect(pollable.ready()).toBe(true);
    const poll = get<(list: unknown[]) => Uint32Array>("wasi:io/poll", "poll");
    expect([...poll([pollable, pollable])]).toEqual([0, 1]);
  });
});

describe("randomness", () => {
  it("is a PRNG seeded from the instance and version: same call, same bytes; other instance, other bytes", () => {
    const draw = (instance: number) => {
      const { get } = bind({ instance });
      const bytes = get<(n: bigint) => Uint8Array>("wasi:random/random", "getRandomBytes");
      return [bytes(16n), bytes(16n), get<() => bigint>("wasi:random/random", "getRandomU64")()];
    };
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
    expect(a[0]).not.toEqual(a[1]);
    const { get } = bind();
    const seed = get<() => [bigint, bigint]>("wasi:random/insecure-seed", "insecureSeed")();
    expect(seed).toHaveLength(2);
    expect(get<(n: bigint) => Uint8Array>("wasi:random/insecure", "getInsecureRandomBytes")(8n)).toHaveLength(
      8,
    );
  });
});

describe("cli", () => {
  it("has an empty environment, no arguments, no cwd and no terminals", () => {
    const { get } = bind();
    expect(get("wasi:cli/environment", "getEnvironment")()).toEqual([]);
    expect(get("wasi:cli/environment", "getArguments")()).toEqual([]);
    expect(get("wasi:cli/environment", "initialCwd")()).toBeUndefined();
    expect(get("wasi:cli/terminal-stdout", "getTerminalStdout")()).toBeUndefined();
  });

  it("stdin is at its end; stdout and stderr are captured up to the limit, the rest counted", async () => {
    const { get, wasi } = bind({ outputLimitBytes: 10 });
    const stdin = get<() => InputStream>("wasi:cli/stdin", "getStdin")();
    expect(await codeOf(() => stdin.blockingRead(10n))).toBe("closed");
    const stdout = get<() => OutputStream>("wasi:cli/stdout", "getStdout")();
    const stderr = get<() => OutputStream>("wasi:cli/stderr", "getStderr")();
    await stdout.blockingWriteAndFlush(text("hello "));
    await stderr.blockingWriteAndFlush(text("oops"));
    await stdout.write(text("world"));
    const output = wasi.output();
    expect(utf8(output.stdout)).toBe("hello ");
    expect(utf8(output.stderr)).toBe("oops");
    expect(output.droppedBytes).toBe(5);
    expect(await wasi.finish()).toBeUndefined();
  });

  it("exit ends the call as a trap", () => {
    const { get } = bind();
    const exit = get<(status: { tag: string }) => void>("wasi:cli/exit", "exit");
    let thrown: unknown;
    try {
      exit({ tag: "ok" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EdgeError);
    expect((thrown as EdgeError).code).toBe("CONTRACT_TRAP");
  });

  it("charges fuel for host calls and bytes moved", async () => {
    let charged = 0;
    const { get } = bind({ meter: { ...UNMETERED, charge: (units) => void (charged += units) } });
    const stdout = get<() => OutputStream>("wasi:cli/stdout", "getStdout")();
    const before = charged;
    await stdout.write(new Uint8Array(16_000));
    expect(charged - before).toBeGreaterThanOrEqual(1000);
  });
});
