/** Where a record's current line is, and what the store needs without reading it. */
export interface RecordLocation {
  inLog: boolean;
  offset: number;
  length: number;
  version: number;
  sentinelName: string;
}

/**
 * The in-memory part of FileStateStore: defender id → file position, version and Sentinel name (≈ 200 bytes a
 * record), plus the case-insensitive Sentinel name → defender id index. Records themselves stay on disk.
 */
export class RecordIndex {
  private readonly byId = new Map<string, RecordLocation>();
  private readonly bySentinel = new Map<string, string>();

  get size(): number {
    return this.byId.size;
  }

  get(key: string): RecordLocation | undefined {
    return this.byId.get(key);
  }

  keyOfSentinel(sentinelName: string): string | undefined {
    return this.bySentinel.get(sentinelName.toLowerCase());
  }

  /** Records `record`'s new line (or its deletion when `null`). */
  set(
    key: string,
    record: { version: number; sentinelName: string } | null,
    at: { inLog: boolean; offset: number; length: number },
  ): void {
    const old = this.byId.get(key);
    if (old) this.bySentinel.delete(old.sentinelName.toLowerCase());
    if (record === null) {
      this.byId.delete(key);
      return;
    }
    this.byId.set(key, { ...at, version: record.version, sentinelName: record.sentinelName });
    this.bySentinel.set(record.sentinelName.toLowerCase(), key);
  }

  keys(): IterableIterator<string> {
    return this.byId.keys();
  }

  entries(): IterableIterator<[string, RecordLocation]> {
    return this.byId.entries();
  }

  values(): IterableIterator<RecordLocation> {
    return this.byId.values();
  }

  clear(): void {
    this.byId.clear();
    this.bySentinel.clear();
  }
}
