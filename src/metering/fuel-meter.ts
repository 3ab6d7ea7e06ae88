// The host's half of metering for one call. The guest spends the fuel in its
// `__edge_fuel` global and calls `edge_meter.refuel` when it goes below zero;
// the meter then grants the next slice from what is left of the budget, or
// ends the call with CONTRACT_OUT_OF_FUEL. Between slices a JSPI guest yields
// to the event loop, so a long call never holds the thread for more than one
// slice. The amount charged never depends on timing: same call, same fuel.
import { EdgeError } from "../errors.js";
import { DEPTH_EXPORT, FUEL_EXPORT, GROW_REFUSED_EXPORT } from "./metering-abi.js";

/** What host imports charge through (a no-op meter for unmetered runs). */
export interface HostMeter {
  charge(units: number): void;
  /** Like charge, but never throws here: an overdrawn budget stops the guest at its next fuel check. */
  spend(units: number): void;
  /** Fuel left in the budget (null: unmetered). */
  remaining(): number | null;
}

export interface FuelOptions {
  /** Fuel for the whole call. */
  limit: number;
  /** Fuel granted at a time; between grants a JSPI guest may pause. */
  slice: number;
  /** Nested calls allowed before CONTRACT_STACK_EXHAUSTED. */
  depthLimit: number;
  /** Runs between slices; a promise suspends the guest (JSPI) until it settles. */
  pause?: () => Promise<void> | undefined;
}

interface MeteredInstance {
  fuel: WebAssembly.Global;
  depth: WebAssembly.Global;
  growRefused: WebAssembly.Global | undefined;
}

/**
 * One budget for every metered instance of a call: a core contract has one,
 * a component one per core module, each with its own globals. Host charges
 * come out of the first instance's slice.
 */
export class FuelMeter implements HostMeter {
  readonly #options: FuelOptions;
  readonly #instances: MeteredInstance[] = [];
  /** Budget not yet granted to the guest. */
  #reserve: number;
  #exhausted = false;
  /** Pauses are allowed only while the guest runs under WebAssembly.promising. */
  #canPause = false;

  constructor(options: FuelOptions) {
    this.#options = options;
    this.#reserve = options.limit;
  }

  get limit(): number {
    return this.#options.limit;
  }

  /** Binds an instance's globals and grants it a first slice; returns its index for `refuel`. */
  attach(exports: WebAssembly.Exports): number {
    const fuel = exports[FUEL_EXPORT];
    const depth = exports[DEPTH_EXPORT];
    if (!(fuel instanceof WebAssembly.Global) || !(depth instanceof WebAssembly.Global)) {
      throw new EdgeError("INTERNAL", "the module is not metered (no fuel or depth global)");
    }
    const refused = exports[GROW_REFUSED_EXPORT];
    const growRefused = refused instanceof WebAssembly.Global ? refused : undefined;
    this.#instances.push({ fuel, depth, growRefused });
    depth.value = this.#options.depthLimit;
    const grant = Math.min(this.#options.slice, this.#reserve);
    this.#reserve -= grant;
    fuel.value = BigInt(grant);
    return this.#instances.length - 1;
  }

  /** Before every host -> guest call: the depth counters start full. */
  enter(canPause: boolean): void {
    this.#canPause = canPause && this.#options.pause !== undefined;
    for (const { depth } of this.#instances) depth.value = this.#options.depthLimit;
  }

  /** The guest's `edge_meter.refuel`: called when instance `index`'s fuel went below zero. */
  refuel(index = 0): void | Promise<void> {
    const value = this.#value(index);
    const need = -value;
    if (need > this.#reserve) throw this.#outOfFuel();
    const grant = Math.min(this.#reserve, need + this.#options.slice);
    this.#reserve -= grant;
    this.#setValue(index, value + grant);
    return this.#canPause ? this.#options.pause?.() : undefined;
  }

  charge(units: number): void {
    const value = this.#value(0) - units;
    this.#setValue(0, value);
    if (value < 0 && -value > this.#reserve) throw this.#outOfFuel();
  }

  spend(units: number): void {
    this.#setValue(0, this.#value(0) - units);
  }

  remaining(): number {
    return this.#options.limit - this.used;
  }

  /** Fuel spent so far (the whole limit once exhausted). */
  get used(): number {
    if (this.#exhausted) return this.#options.limit;
    let unspent = this.#reserve;
    for (let index = 0; index < this.#instances.length; index++) unspent += this.#value(index);
    return Math.min(this.#options.limit, Math.max(0, this.#options.limit - unspent));
  }

  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** True after the guest trapped at the depth limit. */
  get stackExhausted(): boolean {
    return this.#instances.some(({ depth }) => (depth.value as number) < 0);
  }

  /** Pages the guest's last refused `memory.grow` asked for (0: none was refused). */
  get growRefusedPages(): number {
    for (const { growRefused } of this.#instances) {
      const pages = growRefused ? (growRefused.value as number) >>> 0 : 0;
      if (pages !== 0) return pages;
    }
    return 0;
  }

  outOfFuelError(): EdgeError {
    return new EdgeError(
      "CONTRACT_OUT_OF_FUEL",
      `the contract used its whole fuel budget (${this.#options.limit}) and was stopped`,
      { details: { limit: this.#options.limit, fuel: this.#options.limit } },
    );
  }

  stackError(): EdgeError {
    return new EdgeError(
      "CONTRACT_STACK_EXHAUSTED",
      `the contract nested calls deeper than the limit of ${this.#options.depthLimit}`,
      { details: { depthLimit: this.#options.depthLimit } },
    );
  }

  #outOfFuel(): EdgeError {
    this.#exhausted = true;
    return this.outOfFuelError();
  }

  #value(index: number): number {
    const instance = this.#instances[index];
    return instance ? Number(instance.fuel.value as bigint) : 0;
  }

  #setValue(index: number, value: number): void {
    const instance = this.#instances[index];
    if (instance) instance.fuel.value = BigInt(value);
  }
}

export const UNMETERED: HostMeter = { charge() {}, spend() {}, remaining: () => null };
