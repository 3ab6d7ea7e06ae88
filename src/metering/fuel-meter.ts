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

export class FuelMeter implements HostMeter {
  readonly #options: FuelOptions;
  #fuel: WebAssembly.Global | undefined;
  #depth: WebAssembly.Global | undefined;
  #growRefused: WebAssembly.Global | undefined;
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

  /** Binds the instance's globals and grants the first slice. */
  attach(exports: WebAssembly.Exports): void {
    const fuel = exports[FUEL_EXPORT];
    const depth = exports[DEPTH_EXPORT];
    if (!(fuel instanceof WebAssembly.Global) || !(depth instanceof WebAssembly.Global)) {
      throw new EdgeError("INTERNAL", "the module is not metered (no fuel or depth global)");
    }
    this.#fuel = fuel;
    this.#depth = depth;
    const refused = exports[GROW_REFUSED_EXPORT];
    this.#growRefused = refused instanceof WebAssembly.Global ? refused : undefined;
    const grant = Math.min(this.#options.slice, this.#reserve);
    this.#reserve -= grant;
    fuel.value = BigInt(grant);
  }

  /** Before every host -> guest call: the depth counter starts full. */
  enter(canPause: boolean): void {
    this.#canPause = canPause && this.#options.pause !== undefined;
    if (this.#depth) this.#depth.value = this.#options.depthLimit;
  }

  /** The guest's `edge_meter.refuel`: called when its fuel went below zero. */
  refuel(): void | Promise<void> {
    const value = this.#value();
    const need = -value;
    if (need > this.#reserve) throw this.#outOfFuel();
    const grant = Math.min(this.#reserve, need + this.#options.slice);
    this.#reserve -= grant;
    this.#setValue(value + grant);
    return this.#canPause ? this.#options.pause?.() : undefined;
  }

  charge(units: number): void {
    const value = this.#value() - units;
    this.#setValue(value);
    if (value < 0 && -value > this.#reserve) throw this.#outOfFuel();
  }

  /** Fuel spent so far (the whole limit once exhausted). */
  get used(): number {
    if (this.#exhausted) return this.#options.limit;
    return Math.min(this.#options.limit, Math.max(0, this.#options.limit - this.#reserve - this.#value()));
  }

  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** True after the guest trapped at the depth limit. */
  get stackExhausted(): boolean {
    return this.#depth !== undefined && (this.#depth.value as number) < 0;
  }

  /** Pages the guest's last refused `memory.grow` asked for (0: none was refused). */
  get growRefusedPages(): number {
    return this.#growRefused ? (this.#growRefused.value as number) >>> 0 : 0;
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

  #value(): number {
    return this.#fuel ? Number(this.#fuel.value as bigint) : 0;
  }

  #setValue(value: number): void {
    if (this.#fuel) this.#fuel.value = BigInt(value);
  }
}

export const UNMETERED: HostMeter = { charge() {} };
