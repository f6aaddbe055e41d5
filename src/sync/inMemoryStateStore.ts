import { StateConflictError, type StateStore, type SyncRecord, type Watermarks } from "./stateStore";

/** The default store: a Map, lost with the process. Returns copies, like every store must. */
export class InMemoryStateStore implements StateStore {
  private readonly records = new Map<string, SyncRecord>();
  private readonly bySentinel = new Map<string, string>();
  private watermarks: Watermarks = { cycles: 0, version: 0 };

  async getRecord(defenderId: string): Promise<SyncRecord | undefined> {
    const r = this.records.get(defenderId);
    return r ? structuredClone(r) : undefined;
  }

  async findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined> {
    const id = this.bySentinel.get(sentinelName.toLowerCase());
    return id === undefined ? undefined : this.getRecord(id);
  }

  async putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord> {
    const current = this.records.get(record.defenderId);
    const actual = current?.version ?? 0;
    if (actual !== expectedVersion) throw new StateConflictError(record.defenderId, expectedVersion, actual);
    const stored: SyncRecord = { ...structuredClone(record), version: actual + 1 };
    if (current && current.sentinelName.toLowerCase() !== stored.sentinelName.toLowerCase()) {
      this.bySentinel.delete(current.sentinelName.toLowerCase());
    }
    this.records.set(stored.defenderId, stored);
    this.bySentinel.set(stored.sentinelName.toLowerCase(), stored.defenderId);
    return structuredClone(stored);
  }

  async deleteRecord(defenderId: string, expectedVersion: number): Promise<void> {
    const current = this.records.get(defenderId);
    const actual = current?.version ?? 0;
    if (actual !== expectedVersion) throw new StateConflictError(defenderId, expectedVersion, actual);
    if (current) {
      this.records.delete(defenderId);
      this.bySentinel.delete(current.sentinelName.toLowerCase());
    }
  }

  async *listRecords(): AsyncIterable<SyncRecord> {
    for (const id of [...this.records.keys()]) {
      const r = this.records.get(id);
      if (r) yield structuredClone(r);
    }
  }

  async getWatermarks(): Promise<Watermarks> {
    return { ...this.watermarks };
  }

  async putWatermarks(watermarks: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks> {
    if (this.watermarks.version !== expectedVersion) {
      throw new StateConflictError("watermarks", expectedVersion, this.watermarks.version);
    }
    this.watermarks = { ...watermarks, version: expectedVersion + 1 };
    return { ...this.watermarks };
  }

  /** Number of records (tests, metrics). */
  get size(): number {
    return this.records.size;
  }
}
