// The attach slots a guest donated with add-storage: each holds one attach at
// a time, and an attach takes the first free slot big enough. The guest never
// chooses where a block lands; it only says which of its memory it gives up.
import { ShmError, type ShmErrorCode } from "./shm-abi.js";

export interface Area {
  addr: number;
  size: number;
}

export class StorageSlots {
  readonly #max: number;
  readonly #slots: Area[] = [];
  readonly #busy = new Set<Area>();

  constructor(max: number) {
    this.#max = max;
  }

  /** False when the slot overlaps another, or there are already `max`. */
  add(area: Area): boolean {
    if (this.#slots.length >= this.#max || this.overlaps(area)) return false;
    this.#slots.push(area);
    return true;
  }

  overlaps(area: Area): boolean {
    return this.#slots.some((slot) => overlap(slot, area));
  }

  /** A free slot of at least `size` bytes, or why there is none. */
  take(size: number): { slot: Area } | { error: ShmErrorCode } {
    if (this.#slots.length === 0) return { error: ShmError.NO_STORAGE };
    let fits = false;
    for (const slot of this.#slots) {
      if (slot.size < size) continue;
      fits = true;
      if (this.#busy.has(slot)) continue;
      this.#busy.add(slot);
      return { slot };
    }
    return { error: fits ? ShmError.BUSY : ShmError.WRONG_SIZE };
  }

  release(slot: Area): void {
    this.#busy.delete(slot);
  }
}

export function overlap(a: Area, b: Area): boolean {
  return a.addr < b.addr + b.size && b.addr < a.addr + a.size;
}
