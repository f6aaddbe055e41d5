/**
 * A bounded map, least recently used out, so what a store remembers does not grow with the ledger. The Table
 * store keeps two: the ETag and version last seen of each record (a write at the cached version goes out as one
 * conditional request, without reading first) and the Defender id of each Sentinel name (a lookup by name reads
 * the record directly). A miss costs one read, never correctness: the service checks every ETag, and a record
 * found through a remembered name is checked to still carry that name.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: V): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
