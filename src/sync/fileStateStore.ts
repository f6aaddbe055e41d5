import { type FileHandle, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { isStateStoreLockedError, StateStoreCorruptedError, SyncSdkError } from "../core/errors";
import { replaceFile, writeFileAtomic } from "./atomicFile";
import { DirectoryLock } from "./directoryLock";
import {
  headerBytes,
  LOG_FILE,
  readRecordLine,
  recordLineBytes,
  SNAPSHOT_FILE,
  WATERMARKS_FILE,
} from "./fileStateFormat";
import { loadState } from "./fileStateLoad";
import { RecordIndex, type RecordLocation } from "./recordIndex";
import { StateConflictError, type StateStore, type SyncRecord, type Watermarks } from "./stateStore";

/**
 * Options of `FileStateStore`: when the append log is compacted into a snapshot, and how long an unverifiable lock
 * file stays valid (ms).
 */
export interface FileStateStoreOptions {
  /** Compact the append log into a snapshot once it holds this many more lines than there are records. Default 50,000. */
  compactAfterLines?: number;
  /**
   * How long a lock file whose owner cannot be checked (another host, or a pid now used by another program) stays
   * valid after its owner last refreshed it; the owner refreshes it every quarter of this. Default 60,000 ms.
   */
  lockLeaseInMs?: number;
}

/**
 * A durable store in a directory. Each record write appends one line to a log (no full-file rewrite per incident);
 * the log is periodically compacted into a snapshot, and the snapshot, the fresh log and the watermarks are each
 * replaced whole (temp file, fsync, rename), so a crash leaves either the old or the new file, never half of one.
 * Memory holds only an index (id → file position, version, Sentinel name: ≈ 200 bytes a record); records are read
 * back from the files (the OS page cache keeps that cheap), so memory does not grow with the ledger's content.
 *
 * Loading checks everything: every record against its schema, each record's version history through the log, the
 * snapshot the log builds on, the watermarks. A torn last log line (a crash mid-append) is cut and the file
 * repaired; any other damage throws {@link StateStoreCorruptedError} naming the file and line, from the first call
 * and every later one, and leaves the files untouched. Syncing on a partial ledger would re-create incidents it no
 * longer knows about (overwriting analysts' edits) and skip others, so the engine's cycle fails instead.
 *
 * One store per directory: a second instance, in this process or another, fails with
 * {@link StateStoreLockedError} until the first one is closed (a lock left by a dead process is taken over).
 * The directory is opened on first use, or by {@link FileStateStore.open}.
 */
export class FileStateStore implements StateStore {
  private readonly index = new RecordIndex();
  private watermarks: Watermarks = { cycles: 0, version: 0 };
  private log: FileHandle | undefined;
  private snapshot: FileHandle | undefined;
  private lock: DirectoryLock | undefined;
  private generation = 0;
  private logSize = 0;
  private logLines = 0;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when a compaction failed half-way: the files are consistent, this instance's view is not. */
  private broken: unknown;
  private closed = false;
  private readonly compactAfterLines: number;
  private readonly lockLeaseInMs: number;

  constructor(
    readonly directory: string,
    options: FileStateStoreOptions = {},
  ) {
    this.compactAfterLines = options.compactAfterLines ?? 50_000;
    this.lockLeaseInMs = options.lockLeaseInMs ?? 60_000;
  }

  /**
   * Takes the directory's lock and loads and checks its files now rather than on first use, so that a damaged
   * or busy directory is reported at startup. Throws StateStoreCorruptedError or StateStoreLockedError.
   */
  async open(): Promise<void> {
    await this.use();
  }

  private async use(): Promise<void> {
    if (this.closed) throw new SyncSdkError(`FileStateStore on ${this.directory} is closed`);
    this.ready ??= this.load().catch(async (e: unknown) => {
      await this.abandon();
      // A busy directory may be released later: the next call tries again. Damage stays reported.
      if (isStateStoreLockedError(e)) this.ready = undefined;
      throw e;
    });
    await this.ready;
    if (this.broken) throw this.broken;
    this.lock!.assertHeld();
  }

  private async load(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    this.lock = await DirectoryLock.acquire(this.directory, this.lockLeaseInMs);
    const loaded = await loadState(this.directory, this.index);
    this.watermarks = loaded.watermarks;
    this.generation = loaded.generation;
    const logPath = join(this.directory, LOG_FILE);
    if (loaded.newLog) await writeFileAtomic(logPath, headerBytes(loaded.generation));
    this.log = await open(logPath, "a+");
    const size = (await this.log.stat()).size;
    // Cut a torn last line, so that the next append starts on a line of its own.
    if (!loaded.newLog && loaded.logEnd < size) {
      await this.log.truncate(loaded.logEnd);
      await this.log.sync();
    }
    this.logSize = loaded.newLog ? size : loaded.logEnd;
    this.logLines = loaded.logLines;
    if (loaded.hasSnapshot) this.snapshot = await open(join(this.directory, SNAPSHOT_FILE), "r");
  }

  /** After a failed load: holds nothing, so another instance (or a later attempt) can open the directory. */
  private async abandon(): Promise<void> {
    this.index.clear();
    await this.log?.close().catch(() => undefined);
    await this.snapshot?.close().catch(() => undefined);
    this.log = this.snapshot = undefined;
    await this.lock?.release().catch(() => undefined);
    this.lock = undefined;
  }

  /** Serializes every file access, so log order equals apply order and reads never race a compaction. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readAt(loc: RecordLocation): Promise<SyncRecord> {
    const handle = loc.inLog ? this.log! : this.snapshot!;
    const buffer = Buffer.allocUnsafe(loc.length);
    const { bytesRead } = await handle.read(buffer, 0, loc.length, loc.offset);
    try {
      const line = readRecordLine(buffer.toString("utf8", 0, bytesRead));
      if (line.r) return line.r;
    } catch {
      // Reported below.
    }
    const file = join(this.directory, loc.inLog ? LOG_FILE : SNAPSHOT_FILE);
    throw new StateStoreCorruptedError(
      file,
      undefined,
      `changed while open: byte ${loc.offset} no longer starts the record it held`,
    );
  }

  async getRecord(defenderId: string): Promise<SyncRecord | undefined> {
    await this.use();
    return this.exclusive(async () => {
      const loc = this.index.get(defenderId);
      return loc ? this.readAt(loc) : undefined;
    });
  }

  async findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined> {
    await this.use();
    const key = this.index.keyOfSentinel(sentinelName);
    return key === undefined ? undefined : this.getRecord(key);
  }

  async putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord> {
    await this.use();
    return this.exclusive(async () => {
      const actual = this.index.get(record.defenderId)?.version ?? 0;
      if (actual !== expectedVersion)
        throw new StateConflictError(record.defenderId, expectedVersion, actual);
      const stored = { ...record, version: actual + 1 } as SyncRecord;
      await this.append(record.defenderId, stored);
      return JSON.parse(JSON.stringify(stored)) as SyncRecord;
    });
  }

  async deleteRecord(defenderId: string, expectedVersion: number): Promise<void> {
    await this.use();
    await this.exclusive(async () => {
      const actual = this.index.get(defenderId)?.version ?? 0;
      if (actual !== expectedVersion) throw new StateConflictError(defenderId, expectedVersion, actual);
      if (actual !== 0) await this.append(defenderId, null);
    });
  }

  private async append(key: string, record: SyncRecord | null): Promise<void> {
    this.lock!.assertHeld();
    if (this.broken) throw this.broken;
    const bytes = recordLineBytes(key, record);
    await this.log!.appendFile(bytes);
    this.index.set(key, record, { inLog: true, offset: this.logSize, length: bytes.length - 1 });
    this.logSize += bytes.length;
    this.logLines++;
    if (this.logLines > this.index.size + this.compactAfterLines) await this.compact();
  }

  /**
   * Writes snapshot N+1 from the current records, then a fresh log N+1. New positions are kept in typed arrays
   * until the snapshot is in place, so a compaction of 100,000 records needs about 1 MB besides the 1 MB write
   * buffer, and a failure before that leaves everything as it was.
   */
  private async compact(): Promise<void> {
    const generation = this.generation + 1;
    const count = this.index.size;
    const offsets = new Float64Array(count);
    const lengths = new Uint32Array(count);
    const snapshotPath = join(this.directory, SNAPSHOT_FILE);
    await replaceFile(snapshotPath, async (handle) => {
      const header = headerBytes(generation, count);
      let chunk: Buffer[] = [header];
      let chunkSize = header.length;
      let offset = header.length;
      let i = 0;
      for (const [key, loc] of this.index.entries()) {
        const bytes = recordLineBytes(key, await this.readAt(loc));
        offsets[i] = offset;
        lengths[i] = bytes.length - 1;
        i++;
        offset += bytes.length;
        chunk.push(bytes);
        chunkSize += bytes.length;
        if (chunkSize > 1 << 20) {
          await handle.write(Buffer.concat(chunk));
          chunk = [];
          chunkSize = 0;
        }
      }
      await handle.write(Buffer.concat(chunk));
    });
    try {
      await this.snapshot?.close();
      this.snapshot = await open(snapshotPath, "r");
      // Same iteration order as above: nothing touched the index in between (every access is exclusive).
      let i = 0;
      for (const loc of this.index.values()) {
        loc.inLog = false;
        loc.offset = offsets[i]!;
        loc.length = lengths[i]!;
        i++;
      }
      // From here the old log is stale (all of it is in the snapshot); a crash now is recognised by its generation.
      const fresh = headerBytes(generation);
      await this.log!.close();
      await writeFileAtomic(join(this.directory, LOG_FILE), fresh);
      this.log = await open(join(this.directory, LOG_FILE), "a+");
      this.generation = generation;
      this.logSize = fresh.length;
      this.logLines = 0;
    } catch (e) {
      // Appends to the old log would be ignored by the next load: refuse them. Reopening recovers.
      this.broken = e;
      throw e;
    }
  }

  async *listRecords(): AsyncIterable<SyncRecord> {
    await this.use();
    for (const key of [...this.index.keys()]) {
      const record = await this.getRecord(key);
      if (record) yield record;
    }
  }

  async getWatermarks(): Promise<Watermarks> {
    await this.use();
    return { ...this.watermarks };
  }

  async putWatermarks(watermarks: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks> {
    await this.use();
    return this.exclusive(async () => {
      this.lock!.assertHeld();
      if (this.watermarks.version !== expectedVersion) {
        throw new StateConflictError("watermarks", expectedVersion, this.watermarks.version);
      }
      const next = { ...watermarks, version: expectedVersion + 1 };
      // Records the watermark vouches for must be on disk before it is.
      await this.log!.sync();
      await writeFileAtomic(join(this.directory, WATERMARKS_FILE), JSON.stringify(next));
      this.watermarks = next;
      return { ...next };
    });
  }

  async flush(): Promise<void> {
    if (!this.ready || this.closed) return;
    await this.use();
    await this.exclusive(async () => this.log?.sync());
  }

  /** Flushes, closes the files and releases the directory's lock. Later calls throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const loaded = await this.ready?.then(
      () => true,
      () => false,
    );
    if (!loaded) return; // Never opened, or a failed load that already let everything go.
    await this.exclusive(async () => {
      try {
        await this.log?.sync();
      } finally {
        await this.log?.close().catch(() => undefined);
        await this.snapshot?.close().catch(() => undefined);
        await this.lock?.release();
      }
    });
  }

  /** Number of records (tests, metrics). */
  get size(): number {
    return this.index.size;
  }
}
