// Memory blocks (test:shm/exchange) in workerd: the seed's minimal example as
// two contracts, and the ownership rules through the script probe, each run a
// real guest in the sandbox against the real host.
import { describe, expect, it } from "vitest";
import { errorOf } from "./support/api.js";
import { probe, run, runOk, type Probe } from "./support/calls.js";
import { ABSOLUTE, ATTACH_SHARED, ATTACH_WRITE, Answer, ShmError, script } from "./support/shm-script.js";
import { concat } from "../support/bytes.js";

const u32 = (value: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
};

const shmProbe = (): Promise<Probe> => probe(false, "shm-script");

/** Where the probe's STORAGE area lies (static data: the same in every instance of the probe). */
async function storageBase(target: Probe): Promise<number> {
  const out = await answer(target, script().create(1).addStorage(0, 1).attach(1, ATTACH_WRITE).bytes());
  out.i32();
  out.storage();
  const area = out.attach();
  if (!area.ok) throw new Error("the probe could not attach");
  return area.addr;
}

async function answer(target: Probe, body: Uint8Array): Promise<Answer> {
  return new Answer(await runOk(target.id, body));
}

async function trapped(target: Probe, body: Uint8Array): Promise<string> {
  const response = await run(target.id, body);
  expect(response.status).toBe(422);
  const error = await errorOf(response);
  expect(error.code).toBe("CONTRACT_TRAP");
  return error.message;
}

describe("the seed's minimal example", () => {
  it("main passes a block to plugin three times; each increments byte 512; main reads 3", async () => {
    const plugin = await probe(false, "shm-plugin");
    const main = await probe(false, "shm");
    expect([...(await runOk(main.id, plugin.raw))]).toEqual([3]);
    expect([...(await runOk(main.id, concat(plugin.raw, u32(7), u32(5))))]).toEqual([5]);
  });

  it("a failing plugin leaves main with the call's status and no increment", async () => {
    const main = await probe(false, "shm");
    const response = await run(main.id, new Uint8Array(32));
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toMatch(/NOT_FOUND/);
  });
});

describe("attach and detach", () => {
  it("a write attach gets the whole block in donated storage; a read attach gets what detach said is valid", async () => {
    const target = await shmProbe();
    const out = await answer(target, script().create(100).addStorage(0, 128).attach(1, ATTACH_WRITE).bytes());
    expect(out.i32()).toBe(1);
    expect(out.storage()).toBeNull();
    const area = out.attach();
    expect(area).toMatchObject({ ok: true, size: 100 });
    if (!area.ok) return;
    const second = await answer(
      target,
      script()
        .create(100)
        .addStorage(0, 128)
        .attach(1, ATTACH_WRITE)
        .poke(area.addr, Uint8Array.of(9, 8, 7, 6))
        .detach(1, 3)
        .attach(1, ATTACH_SHARED)
        .peek(area.addr, 3)
        .detach(1, 0)
        .attach(1, 0)
        .detach(1, 2)
        .attach(1, 0)
        .peek(area.addr, 1)
        .bytes(),
    );
    second.i32();
    second.storage();
    second.attach();
    expect(second.attach()).toEqual({ ok: true, addr: area.addr, size: 3 });
    expect([...second.take(3)]).toEqual([9, 8, 7]);
    expect(second.attach()).toEqual({ ok: true, addr: area.addr, size: 3 });
    // Two bytes consumed: one left.
    expect(second.attach()).toEqual({ ok: true, addr: area.addr, size: 1 });
    expect([...second.take(1)]).toEqual([7]);
    expect(second.done).toBe(true);
  });

  it("a write attach starts with what the last read left unconsumed", async () => {
    const target = await shmProbe();
    const out = await answer(
      target,
      script()
        .create(8)
        .addStorage(0, 8)
        .attach(1, ATTACH_WRITE)
        .poke(0, new Uint8Array()) // placeholder, replaced below by absolute pokes
        .bytes(),
    );
    out.i32();
    out.storage();
    const area = out.attach();
    if (!area.ok) throw new Error("attach failed");
    const next = await answer(
      target,
      script()
        .create(8)
        .addStorage(0, 8)
        .attach(1, ATTACH_WRITE)
        .poke(area.addr, Uint8Array.of(1, 2, 3, 4))
        .detach(1, 4)
        .attach(1, 0)
        .detach(1, 3)
        .attach(1, ATTACH_WRITE)
        .peek(area.addr, 1)
        .bytes(),
    );
    next.i32();
    next.storage();
    next.attach();
    next.attach();
    expect(next.attach()).toMatchObject({ ok: true, size: 8 });
    expect([...next.take(1)]).toEqual([4]);
  });
});

describe("ownership", () => {
  it("a second write attach is busy, a read during a write is busy, shared reads overlap", async () => {
    const target = await shmProbe();
    const out = await answer(
      target,
      script()
        .create(16)
        .clone(1)
        .addStorage(0, 16)
        .addStorage(16, 16)
        .addStorage(32, 16)
        .attach(1, ATTACH_WRITE)
        .attach(2, ATTACH_WRITE)
        .attach(2, ATTACH_SHARED)
        .attach(1, ATTACH_SHARED)
        .detach(1, 0)
        .attach(1, ATTACH_SHARED)
        .attach(2, ATTACH_SHARED)
        .clone(1)
        .attach(3, 0)
        .bytes(),
    );
    expect([out.i32(), out.i32()]).toEqual([1, 2]);
    expect([out.storage(), out.storage(), out.storage()]).toEqual([null, null, null]);
    expect(out.attach().ok).toBe(true);
    // A clone is read only: a write through it is refused whatever else is attached.
    expect(out.attach()).toEqual({ ok: false, error: ShmError.INTERNAL });
    expect(out.attach()).toEqual({ ok: false, error: ShmError.BUSY });
    // The same handle twice.
    expect(out.attach()).toEqual({ ok: false, error: ShmError.BUSY });
    expect(out.attach().ok).toBe(true);
    expect(out.attach().ok).toBe(true);
    expect(out.i32()).toBe(3);
    // An exclusive read while shared reads are out.
    expect(out.attach()).toEqual({ ok: false, error: ShmError.BUSY });
  });

  it("storage: none is no-storage, too small is wrong-size, out of bounds and overlapping are refused", async () => {
    const target = await shmProbe();
    const out = await answer(
      target,
      script()
        .create(64)
        .attach(1, ATTACH_WRITE)
        .addStorage(0, 32)
        .attach(1, ATTACH_WRITE)
        .addStorage(ABSOLUTE + 0x7fff_fff0, 64)
        .addStorage(16, 64)
        .addStorage(64, 0)
        .minSize(1)
        .optimum(3, 10)
        .bytes(),
    );
    out.i32();
    expect(out.attach()).toEqual({ ok: false, error: ShmError.NO_STORAGE });
    expect(out.storage()).toBeNull();
    expect(out.attach()).toEqual({ ok: false, error: ShmError.WRONG_SIZE });
    expect(out.storage()).toBe(ShmError.INTERNAL);
    expect(out.storage()).toBe(ShmError.INTERNAL);
    expect(out.storage()).toBe(ShmError.WRONG_SIZE);
    expect(out.u32()).toBe(64);
    expect(out.u32()).toBe(48);
  });

  it("consumed beyond the attach, a non-zero shared detach, a dropped handle and a foreign handle trap", async () => {
    const target = await shmProbe();
    const base = () => script().create(16).addStorage(0, 16);
    expect(await trapped(target, base().attach(1, ATTACH_WRITE).detach(1, 17).bytes())).toMatch(
      /17 bytes consumed/,
    );
    expect(await trapped(target, base().attach(1, ATTACH_SHARED).detach(1, 1).bytes())).toMatch(/shared/);
    expect(await trapped(target, base().drop(1).attach(1, 0).bytes())).toMatch(/handle 1 is not live/);
    expect(await trapped(target, base().attach(7, 0).bytes())).toMatch(/handle 7 is not live/);
    expect(await trapped(target, base().detach(1, 0).bytes())).toMatch(/not attached/);
    expect(await trapped(target, base().attach(1, 0).drop(1).bytes())).toMatch(/detach it first/);
    expect(await trapped(target, base().partition(1, 8, 9, 0).bytes())).toMatch(/outside/);
    // A local block cannot stand on donated storage, nor storage be donated over a local block.
    expect(await trapped(target, base().local(8, 16).bytes())).toMatch(/overlaps donated storage/);
    const local = await answer(target, script().local(0, 16).addStorage(8, 16).bytes());
    expect([local.i32(), local.storage()]).toEqual([1, ShmError.INTERNAL]);
  });

  it("an execution's blocks hold at most 64 MiB: past it the constructor fails the run with BLOCK_LIMIT", async () => {
    const target = await shmProbe();
    const sixteen = 16 * 1024 * 1024;
    const out = await answer(
      target,
      script().create(sixteen).create(sixteen).create(sixteen).create(sixteen).bytes(),
    );
    expect([out.i32(), out.i32(), out.i32(), out.i32()]).toEqual([1, 2, 3, 4]);
    const response = await run(
      target.id,
      script().create(sixteen).create(sixteen).create(sixteen).create(sixteen).create(1).bytes(),
    );
    expect(response.status).toBe(507);
    expect((await errorOf(response)).code).toBe("BLOCK_LIMIT");
    const dropped = await answer(
      target,
      script()
        .create(sixteen)
        .create(sixteen)
        .create(sixteen)
        .create(sixteen)
        .drop(1)
        .create(sixteen)
        .bytes(),
    );
    expect(dropped.bytes.length).toBe(20);
    const tooBig = await run(
      target.id,
      script()
        .create(sixteen + 1)
        .bytes(),
    );
    expect((await errorOf(tooBig)).code).toBe("BLOCK_LIMIT");
  });

  it("a local block maps in place; a partition narrows a handle to its window", async () => {
    const target = await shmProbe();
    const out = await answer(
      target,
      script()
        .local(0, 32)
        .attach(1, ATTACH_WRITE)
        .detach(1, 32)
        .create(32)
        .clone(2)
        .partition(3, 8, 8, 0)
        .minSize(3)
        .addStorage(64, 32)
        .attach(2, ATTACH_WRITE)
        .attach(3, ATTACH_SHARED)
        .bytes(),
    );
    expect(out.i32()).toBe(1);
    const local = out.attach();
    expect(local).toMatchObject({ ok: true, size: 32 });
    expect([out.i32(), out.i32()]).toEqual([2, 3]);
    expect(out.u32()).toBe(8);
    expect(out.storage()).toBeNull();
    expect(out.attach().ok).toBe(true);
    // The window overlaps the written range.
    expect(out.attach()).toEqual({ ok: false, error: ShmError.BUSY });
  });
});

describe("blocks across calls", () => {
  it("a borrowed block comes back changed; a failed call leaves it as it was; a transfer ends the handle", async () => {
    const caller = await shmProbe();
    const callee = await shmProbe();
    const at = await storageBase(caller);
    // The callee writes 16 bytes of 5 into the block it was lent, and says all 16 are valid.
    const writeFives = script()
      .passed(0)
      .addStorage(0, 16)
      .attach(1, ATTACH_WRITE)
      .fill(at, 16, 5)
      .detach(1, 16);
    const out = await answer(
      caller,
      script()
        .create(16)
        .addStorage(0, 16)
        .call(callee.raw, [[1, 0]], script().passed(0).passed(1).minSize(1).bytes())
        .call(callee.raw, [[1, 0]], writeFives.bytes())
        .attach(1, 0)
        .sum(at, 16)
        .detach(1, 0)
        .call(
          callee.raw,
          [[1, 0]],
          script()
            .passed(0)
            .addStorage(0, 16)
            .attach(1, ATTACH_WRITE)
            .fill(at, 16, 9)
            .detach(1, 16)
            .trap()
            .bytes(),
        )
        .attach(1, ATTACH_SHARED)
        .sum(at, 16)
        .detach(1, 0)
        .call(callee.raw, [[1, 1]], script().passed(0).drop(1).bytes())
        .bytes(),
    );
    expect(out.i32()).toBe(1);
    expect(out.storage()).toBeNull();
    expect(out.i32()).toBe(0);
    const inner = new Answer(out.take(out.u32()));
    expect([inner.i32(), inner.i32(), inner.u32()]).toEqual([1, -11, 16]);
    expect(out.i32()).toBe(0);
    out.take(out.u32());
    // The callee's 16 valid bytes of 5 came back (the read consumed none: detach(0)).
    expect(out.attach()).toEqual({ ok: true, addr: at, size: 16 });
    expect(out.u32()).toBe(80);
    // The trapped callee's nines never reach the caller.
    expect(out.i32()).toBe(-12);
    out.take(out.u32());
    out.attach();
    expect(out.u32()).toBe(80);
    expect(out.i32()).toBe(0);
    out.take(out.u32());
    expect(out.done).toBe(true);
    const transferred = script()
      .create(16)
      .call(callee.raw, [[1, 1]], new Uint8Array())
      .attach(1, 0);
    expect(await trapped(caller, transferred.bytes())).toMatch(/handle 1 is not live/);
    // A failed call gives a transferred handle back.
    const undone = await answer(
      caller,
      script()
        .create(16)
        .addStorage(0, 16)
        .call(callee.raw, [[1, 1]], script().trap().bytes())
        .attach(1, 0)
        .bytes(),
    );
    undone.i32();
    undone.storage();
    expect(undone.i32()).toBe(-12);
    undone.take(undone.u32());
    expect(undone.attach().ok).toBe(true);
  });

  it("an attached block, a block twice, or a transfer of a cloned block is refused before the call", async () => {
    const caller = await shmProbe();
    const callee = await shmProbe();
    const out = await answer(
      caller,
      script()
        .create(16)
        .addStorage(0, 16)
        .attach(1, 0)
        .call(callee.raw, [[1, 0]], new Uint8Array())
        .detach(1, 0)
        .call(
          callee.raw,
          [
            [1, 0],
            [1, 0],
          ],
          new Uint8Array(),
        )
        .clone(1)
        .call(callee.raw, [[1, 1]], new Uint8Array())
        .call(callee.raw, [[9, 0]], new Uint8Array())
        .bytes(),
    );
    out.i32();
    out.storage();
    out.attach();
    expect(out.i32()).toBe(-20);
    out.take(out.u32());
    expect(out.i32()).toBe(-1);
    out.take(out.u32());
    out.i32();
    expect(out.i32()).toBe(-1);
    out.take(out.u32());
    expect(out.i32()).toBe(-1);
  });
});
