// The mappings of one wasm instance: which guest memory range shows which
// storage range. Mappings may not overlap, in memory or in storage.
export interface Mapping {
  memStart: number;
  storageStart: number;
  length: number;
}

const overlaps = (a: number, aLength: number, b: number, bLength: number) =>
  aLength > 0 && bLength > 0 && a < b + bLength && b < a + aLength;

export class MappingTable {
  readonly #mappings = new Map<number, Mapping>();

  /** False (nothing recorded) if the new mapping overlaps or duplicates one. */
  add(mapping: Mapping): boolean {
    for (const existing of this.#mappings.values()) {
      if (existing.memStart === mapping.memStart) return false;
      if (overlaps(existing.memStart, existing.length, mapping.memStart, mapping.length)) return false;
      if (overlaps(existing.storageStart, existing.length, mapping.storageStart, mapping.length))
        return false;
    }
    this.#mappings.set(mapping.memStart, mapping);
    return true;
  }

  remove(memStart: number): Mapping | undefined {
    const mapping = this.#mappings.get(memStart);
    this.#mappings.delete(memStart);
    return mapping;
  }

  all(): Mapping[] {
    return [...this.#mappings.values()];
  }
}
