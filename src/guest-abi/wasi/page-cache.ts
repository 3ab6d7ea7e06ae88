// Clean pages (committed or staged) the host holds for reads: a small LRU, so
// a stream's read-ahead window survives until it is read and a file is never
// held whole. Cached arrays are never written to (writes copy into a dirty
// page), so a page can be shared with the store or a stream's answer.

const EMPTY = new Uint8Array(0);

export class PageCache {
  readonly #capacity: number;
  readonly #pages = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(capacityPages: number) {
    this.#capacity = Math.max(2, capacityPages);
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(id: number, page: number): Uint8Array | undefined {
    const key = `${id}/${page}`;
    const bytes = this.#pages.get(key);
    if (bytes === undefined) return undefined;
    // Refresh its place in the LRU order (a Map iterates in insertion order).
    this.#pages.delete(key);
    this.#pages.set(key, bytes);
    return bytes;
  }

  /** `null` (no page stored: zeros) is cached as an empty page. */
  set(id: number, page: number, bytes: Uint8Array | null): void {
    this.delete(id, page);
    const value = bytes ?? EMPTY;
    this.#pages.set(`${id}/${page}`, value);
    this.#bytes += value.length;
    while (this.#pages.size > this.#capacity) {
      const oldest = this.#pages.keys().next().value;
      if (oldest === undefined) break;
      this.#bytes -= this.#pages.get(oldest)?.length ?? 0;
      this.#pages.delete(oldest);
    }
  }

  delete(id: number, page: number): void {
    const key = `${id}/${page}`;
    const old = this.#pages.get(key);
    if (old === undefined) return;
    this.#bytes -= old.length;
    this.#pages.delete(key);
  }

  /** Drops the file's pages at or beyond `first` (a truncation). */
  dropFrom(id: number, first: number): void {
    for (const key of this.#pages.keys()) {
      const [owner, page] = key.split("/").map(Number);
      if (owner === id && (page ?? 0) >= first) this.delete(id, page ?? 0);
    }
  }
}
