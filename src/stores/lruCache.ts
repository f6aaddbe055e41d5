/**
 * The ETag last seen for each entity, with the version it holds: a write at `expectedVersion` goes out as one
 * conditional request (If-Match) when the cached version matches, without reading the entity first. Bounded
 * (least recently used out), so memory does not grow with the ledger; a miss costs one read, never correctness:
 * the service checks the ETag, the cache only saves the read.
 */
export interface CachedEtag {
  version: number;
  etag: string;
  /** Records only: the lower-case Sentinel name, to know when the index entity has to move. */
  sentinelKey?: string;
}

export class EtagCache {
  private readonly entries = new Map<string, CachedEtag>();
  constructor(private readonly capacity: number) {}

  get(key: string): CachedEtag | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedEtag): void {
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
