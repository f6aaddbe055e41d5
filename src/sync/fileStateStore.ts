import { type FileHandle, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SyncSdkError } from "../core/errors";
import { StateConflictError, type StateStore, type SyncRecord, type Watermarks } from "./stateStore";

export interface FileStateStoreOptions {
  /** Compact the append log into a snapshot once it holds this many more lines than there are records. Default 50,000. */
  compactAfterLines?: number;
}

/** Another process holds the store's lock file. */
export class StateStoreLockedError extends SyncSdkError {
  override name = "StateStoreLockedError";
}

const SNAPSHOT = "records.snapshot.jsonl";
const LOG = "records.log.jsonl";
const WATERMARKS = "watermarks.json";
const LOCK = "lock";

/**
 * A durable store in a directory. Each record write appends one line to a log (no full-file rewrite per
 * incident); the log is periodically compacted into a snapshot written to a temp file and renamed over
 * the old one, and watermarks are replaced the same way, so a crash leaves either the old or the new
 * file, never half of one. A torn last log line (crash mid-append) is ignored on load. Records are kept
 * in memory as serialized strings (≈ their JSON size; 100,000 records fit comfortably). A lock file
 * keeps a second process from opening the same directory.
 */
export class FileStateStore implements StateStore {
  private readonly records = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  private readonly bySentinel = new Map<string, string>();
  private watermarks: Watermarks = { cycles: 0, version: 0 };
  private log: FileHandle | undefined;
  private logLines = 0;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly compactAfterLines: number;
  private closed = false;

  constructor(
    readonly directory: string,
    options: FileStateStoreOptions = {},
  ) {
    this.compactAfterLines = options.compactAfterLines ?? 50_000;
  }

  private init(): Promise<void> {
    this.ready ??= this.load();
    return this.ready;
  }

  private async load(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await this.acquireLock();
    for (const file of [SNAPSHOT, LOG]) {
      const text = await readFile(join(this.directory, file), "utf8").catch(() => "");
      const lines = text.split("\n");
      for (const [i, line] of lines.entries()) {
        if (line === "") continue;
        let entry: { k: string; r: SyncRecord | null };
        try {
          entry = JSON.parse(line);
        } catch (e) {
          if (i === lines.length - 1) break; // A torn final line from a crash mid-append.
          throw new SyncSdkError(`${file} line ${i + 1} is corrupt`, { cause: e });
        }
        if (file === LOG) this.logLines++;
        this.apply(entry.k, entry.r);
      }
    }
    const wm = await readFile(join(this.directory, WATERMARKS), "utf8").catch(() => undefined);
    if (wm) this.watermarks = JSON.parse(wm) as Watermarks;
    this.log = await open(join(this.directory, LOG), "a");
  }

  private async acquireLock(): Promise<void> {
    const path = join(this.directory, LOCK);
    try {
      await writeFile(path, String(process.pid), { flag: "wx" });
    } catch {
      const pid = Number(await readFile(path, "utf8").catch(() => "NaN"));
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new StateStoreLockedError(`State directory ${this.directory} is in use by process ${pid}`);
      }
      await writeFile(path, String(process.pid)); // Stale lock of a dead process.
    }
  }

  private apply(key: string, record: SyncRecord | null): void {
    const old = this.records.get(key);
    if (old) this.bySentinel.delete(deserialize(old).sentinelName.toLowerCase());
    if (record === null) {
      this.records.delete(key);
      this.versions.delete(key);
      return;
    }
    this.records.set(key, serialize(record));
    this.versions.set(key, record.version);
    this.bySentinel.set(record.sentinelName.toLowerCase(), key);
  }

  /** Serializes mutations so log order equals apply order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async getRecord(defenderId: string): Promise<SyncRecord | undefined> {
    await this.init();
    const s = this.records.get(defenderId);
    return s ? deserialize(s) : undefined;
  }

  async findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined> {
    await this.init();
    const key = this.bySentinel.get(sentinelName.toLowerCase());
    return key === undefined ? undefined : this.getRecord(key);
  }

  async putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord> {
    await this.init();
    return this.exclusive(async () => {
      const actual = this.versions.get(record.defenderId) ?? 0;
      if (actual !== expectedVersion)
        throw new StateConflictError(record.defenderId, expectedVersion, actual);
      const stored = { ...record, version: actual + 1 } as SyncRecord;
      await this.append(record.defenderId, stored);
      return JSON.parse(JSON.stringify(stored)) as SyncRecord;
    });
  }

  async deleteRecord(defenderId: string, expectedVersion: number): Promise<void> {
    await this.init();
    await this.exclusive(async () => {
      const actual = this.versions.get(defenderId) ?? 0;
      if (actual !== expectedVersion) throw new StateConflictError(defenderId, expectedVersion, actual);
      if (actual !== 0) await this.append(defenderId, null);
    });
  }

  private async append(key: string, record: SyncRecord | null): Promise<void> {
    if (this.closed) throw new SyncSdkError("FileStateStore is closed");
    await this.log!.appendFile(`${JSON.stringify({ k: key, r: record })}\n`, "utf8");
    this.logLines++;
    this.apply(key, record);
    if (this.logLines > this.records.size + this.compactAfterLines) await this.compact();
  }

  /** Rewrites the snapshot from memory (temp file + rename) and starts an empty log. */
  private async compact(): Promise<void> {
    const tmp = join(this.directory, `${SNAPSHOT}.tmp`);
    const handle = await open(tmp, "w");
    try {
      let chunk = "";
      for (const [key, value] of this.records) {
        chunk += `{"k":${JSON.stringify(key)},"r":${JSON.stringify(deserialize(value))}}\n`;
        if (chunk.length > 1 << 20) {
          await handle.write(chunk);
          chunk = "";
        }
      }
      await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.directory, SNAPSHOT));
    await this.log!.close();
    const logTmp = join(this.directory, `${LOG}.tmp`);
    await writeFile(logTmp, "");
    await rename(logTmp, join(this.directory, LOG));
    this.log = await open(join(this.directory, LOG), "a");
    this.logLines = 0;
  }

  async *listRecords(): AsyncIterable<SyncRecord> {
    await this.init();
    for (const key of [...this.records.keys()]) {
      const s = this.records.get(key);
      if (s) yield deserialize(s);
    }
  }

  async getWatermarks(): Promise<Watermarks> {
    await this.init();
    return { ...this.watermarks };
  }

  async putWatermarks(watermarks: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks> {
    await this.init();
    return this.exclusive(async () => {
      if (this.watermarks.version !== expectedVersion) {
        throw new StateConflictError("watermarks", expectedVersion, this.watermarks.version);
      }
      const next = { ...watermarks, version: expectedVersion + 1 };
      // Records the watermark vouches for must be on disk before it is.
      await this.log!.sync();
      const tmp = join(this.directory, `${WATERMARKS}.tmp`);
      await writeFile(tmp, JSON.stringify(next));
      await rename(tmp, join(this.directory, WATERMARKS));
      this.watermarks = next;
      return { ...next };
    });
  }

  async flush(): Promise<void> {
    if (!this.ready) return;
    await this.init();
    await this.exclusive(async () => this.log?.sync());
  }

  /** Flushes, releases the lock and closes files. */
  async close(): Promise<void> {
    if (!this.ready || this.closed) return;
    await this.init();
    await this.exclusive(async () => {
      await this.log?.sync();
      await this.log?.close();
      this.closed = true;
      await rm(join(this.directory, LOCK), { force: true });
    });
  }

  /** Number of records (tests, metrics). */
  get size(): number {
    return this.records.size;
  }
}

/**
 * In memory a record is kept as JSON with its Sentinel base stored as the fields that differ from the
 * Defender base (usually one or two): that halves the footprint of a ledger of 100,000 pairs.
 */
function serialize(record: SyncRecord): string {
  const { baseDefender, baseSentinel } = record;
  if (!baseDefender || !baseSentinel) return JSON.stringify(record);
  const delta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(baseSentinel)) {
    if (JSON.stringify(v) !== JSON.stringify((baseDefender as unknown as Record<string, unknown>)[k]))
      delta[k] = v ?? null;
  }
  return JSON.stringify({ ...record, baseSentinel: undefined, sentinelDelta: delta });
}

function deserialize(text: string): SyncRecord {
  const raw = JSON.parse(text) as SyncRecord & { sentinelDelta?: Record<string, unknown> };
  if (raw.sentinelDelta && raw.baseDefender) {
    const base: Record<string, unknown> = { ...raw.baseDefender };
    for (const [k, v] of Object.entries(raw.sentinelDelta)) {
      if (v === null) delete base[k];
      else base[k] = v;
    }
    raw.baseSentinel = base as unknown as SyncRecord["baseSentinel"];
    delete raw.sentinelDelta;
  }
  return raw;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
