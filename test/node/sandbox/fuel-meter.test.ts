// FuelMeter over a real wasm global (the one the rewriter exports), driven the
// way a metered guest and its host imports drive it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { FuelMeter } from "../../../src/metering/fuel-meter.js";
import { DEPTH_EXPORT, FUEL_EXPORT } from "../../../src/metering/metering-abi.js";

function attached(limit: number, slice: number) {
  const fuel = new WebAssembly.Global({ value: "i64", mutable: true }, 0n);
  const depth = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  const meter = new FuelMeter({ limit, slice, depthLimit: 100 });
  meter.attach({ [FUEL_EXPORT]: fuel, [DEPTH_EXPORT]: depth });
  meter.enter(false);
  // What the instrumented guest does at a charge point.
  const guestCharge = (cost: number) => {
    fuel.value = (fuel.value as bigint) - BigInt(cost);
    if ((fuel.value as bigint) < 0n) meter.refuel();
  };
  return { meter, fuel, depth, guestCharge };
}

const step = fc.oneof(
  fc.record({ by: fc.constant("guest" as const), cost: fc.integer({ min: 1, max: 5_000 }) }),
  fc.record({ by: fc.constant("host" as const), cost: fc.integer({ min: 0, max: 20_000 }) }),
);

describe("FuelMeter", () => {
  it("charges exactly what was spent, across slices, until the limit; then CONTRACT_OUT_OF_FUEL", () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 300 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        (steps, limit, slice) => {
          const { meter, guestCharge } = attached(limit, slice);
          let spent = 0;
          let stoppedAt: { error: unknown; cost: number } | undefined;
          for (const { by, cost } of steps) {
            try {
              if (by === "guest") guestCharge(cost);
              else meter.charge(cost);
            } catch (error) {
              stoppedAt = { error, cost };
              break;
            }
            spent += cost;
            // A host charge may leave a deficit the guest settles at its next charge point.
            expect(spent).toBeLessThanOrEqual(limit);
            expect(meter.used).toBe(spent);
          }
          const error = stoppedAt?.error;
          expect(
            error === undefined || (error instanceof EdgeError && error.code === "CONTRACT_OUT_OF_FUEL"),
          ).toBe(true);
          // It stops exactly when a charge would go past the limit, and then reports the whole limit.
          expect(stoppedAt === undefined ? spent <= limit : spent + stoppedAt.cost > limit).toBe(true);
          expect(meter.used).toBe(stoppedAt === undefined ? spent : limit);
          expect(meter.exhausted).toBe(stoppedAt !== undefined);
        },
      ),
    );
  });

  it("never grants the guest more than a slice ahead of what it spent", () => {
    const { fuel, guestCharge } = attached(1_000_000, 1_000);
    for (let i = 0; i < 5_000; i++) {
      guestCharge(7);
      expect(fuel.value as bigint).toBeLessThanOrEqual(1_000n);
    }
  });

  it("reports the depth counter below zero as stack exhaustion, and resets it on entry", () => {
    const { meter, depth } = attached(1_000, 100);
    expect(depth.value).toBe(100);
    depth.value = -1;
    expect(meter.stackExhausted).toBe(true);
    expect(meter.stackError().code).toBe("CONTRACT_STACK_EXHAUSTED");
    meter.enter(false);
    expect(meter.stackExhausted).toBe(false);
  });

  it("refuses an unmetered module", () => {
    const meter = new FuelMeter({ limit: 10, slice: 10, depthLimit: 10 });
    expect(() => meter.attach({})).toThrow(EdgeError);
  });
});
