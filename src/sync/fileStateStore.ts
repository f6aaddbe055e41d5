import { createReadStream } from "node:fs";
import { type FileHandle, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
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

/** Where a record's current line is, and what the index needs without reading it. */
interface Location {
  inLog: boolean;
  offset: number;
  length: number;
  version: number;
  sentinelName: string;
}

/**
 * A durable store in a directory. Each record write appends one line to a log (no full-file rewrite per
 * incident); the log is periodically compacted into a snapshot written to a temp file and renamed over
 * the old one, and watermarks are replaced the same way, so a crash leaves either the old or the new
 * file, never half of one. A torn last log line (crash mid-append) is ignored on load. Memory holds only an
 * index (id → file position, version, Sentinel name: ≈ 200 bytes a record); records are read back from
 * the files (the OS page cache keeps that cheap), so memory does not grow with the ledger's content.
 * A lock file keeps a second process from opening the same directory.
 */
export class FileStateStore implements StateStore {
  private readonly index = new Map<string, Location>();
  private readonly bySentinel = new Map<string, string>();
  private watermarks: Watermarks = { cycles: 0, version: 0 };
  private log: FileHandle | undefined;
  private snapshot: FileHandle | undefined;
  private logSize = 0;
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
    await this.scan(SNAPSHOT, false);
    const logEnd = await this.scan(LOG, true);
    const wm = await readFile(join(this.directory, WATERMARKS), "utf8").catch(() => undefined);
    if (wm) this.watermarks = JSON.parse(wm) as Watermarks;
    this.log = await open(join(this.directory, LOG), "a+");
    // A torn final line (crash mid-append) is cut off so that the next append starts on a clean line.
    if (logEnd < (await this.log.stat()).size) await this.log.truncate(logEnd);
    this.logSize = logEnd;
    this.snapshot = await open(join(this.directory, SNAPSHOT), "a+");
  }

  /**
   * Streams a file line by line into the index (position of each record's line). Returns the byte offset
   * after the last complete line; only the very last line may be torn, anything else corrupt is an error.
   */
  private async scan(file: string, inLog: boolean): Promise<number> {
    const path = join(this.directory, file);
    const size = await stat(path).then(
      (st) => st.size,
      () => -1,
    );
    if (size < 0) return 0;
    const lines = createInterface({
      input: createReadStream(path, { encoding: "utf8" }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let offset = 0;
    let good = 0;
    let lineNo = 0;
    let previous: { text: string; offset: number; length: number; no: number } | undefined;
    const take = (entry: NonNullable<typeof previous>, last: boolean): boolean => {
      let parsed: { k: string; r: SyncRecord | null };
      try {
        parsed = JSON.parse(entry.text);
      } catch (e) {
        if (last) return false;
        throw new SyncSdkError(`${file} line ${entry.no} is corrupt`, { cause: e });
      }
      if (inLog) this.logLines++;
      this.apply(parsed.k, parsed.r, { inLog, offset: entry.offset, length: entry.length });
      good = entry.offset + entry.length + 1;
      return true;
    };
    for await (const text of lines) {
      lineNo++;
      const length = Buffer.byteLength(text, "utf8");
      if (previous) take(previous, false);
      previous = text === "" ? undefined : { text, offset, length, no: lineNo };
      offset += length + 1;
    }
    // The last line counts only if it parses and ended with a newline.
    if (previous && previous.offset + previous.length < size) take(previous, true);
    return good;
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

  private apply(
    key: string,
    record: SyncRecord | null,
    at: { inLog: boolean; offset: number; length: number },
  ): void {
    const old = this.index.get(key);
    if (old) this.bySentinel.delete(old.sentinelName.toLowerCase());
    if (record === null) {
      this.index.delete(key);
      return;
    }
    this.index.set(key, { ...at, version: record.version, sentinelName: record.sentinelName });
    this.bySentinel.set(record.sentinelName.toLowerCase(), key);
  }

  /** Serializes every file access, so log order equals apply order and reads never race a compaction. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readAt(loc: Location): Promise<SyncRecord> {
    const handle = loc.inLog ? this.log! : this.snapshot!;
    const buffer = Buffer.allocUnsafe(loc.length);
    const { bytesRead } = await handle.read(buffer, 0, loc.length, loc.offset);
    const line = JSON.parse(buffer.toString("utf8", 0, bytesRead)) as { r: SyncRecord };
    return expand(line.r);
  }

  async getRecord(defenderId: string): Promise<SyncRecord | undefined> {
    await this.init();
    return this.exclusive(async () => {
      const loc = this.index.get(defenderId);
      return loc ? this.readAt(loc) : undefined;
    });
  }

  async findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined> {
    await this.init();
    const key = this.bySentinel.get(sentinelName.toLowerCase());
    return key === undefined ? undefined : this.getRecord(key);
  }

  async putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord> {
    await this.init();
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
    await this.init();
    await this.exclusive(async () => {
      const actual = this.index.get(defenderId)?.version ?? 0;
      if (actual !== expectedVersion) throw new StateConflictError(defenderId, expectedVersion, actual);
      if (actual !== 0) await this.append(defenderId, null);
    });
  }

  private async append(key: string, record: SyncRecord | null): Promise<void> {
    if (this.closed) throw new SyncSdkError("FileStateStore is closed");
    const line = `{"k":${JSON.stringify(key)},"r":${record === null ? "null" : serialize(record)}}`;
    const bytes = Buffer.from(`${line}\n`, "utf8");
    await this.log!.appendFile(bytes);
    this.apply(key, record, { inLog: true, offset: this.logSize, length: bytes.length - 1 });
    this.logSize += bytes.length;
    this.logLines++;
    if (this.logLines > this.index.size + this.compactAfterLines) await this.compact();
  }

  /**
   * Rewrites the snapshot from the current records (temp file + rename) and starts an empty log. New
   * positions are kept in typed arrays until the rename succeeds, so a compaction of 100,000 records needs
   * about 1 MB besides the 1 MB write buffer, and a failure leaves the index as it was.
   */
  private async compact(): Promise<void> {
    const tmp = join(this.directory, `${SNAPSHOT}.tmp`);
    const handle = await open(tmp, "w");
    const count = this.index.size;
    const offsets = new Float64Array(count);
    const lengths = new Uint32Array(count);
    try {
      let chunk: Buffer[] = [];
      let chunkSize = 0;
      let offset = 0;
      let i = 0;
      for (const [key, loc] of this.index) {
        const record = await this.readAt(loc);
        const bytes = Buffer.from(`{"k":${JSON.stringify(key)},"r":${serialize(record)}}\n`, "utf8");
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
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.directory, SNAPSHOT));
    await this.snapshot?.close();
    this.snapshot = await open(join(this.directory, SNAPSHOT), "a+");
    await this.log!.close();
    const logTmp = join(this.directory, `${LOG}.tmp`);
    await writeFile(logTmp, "");
    await rename(logTmp, join(this.directory, LOG));
    this.log = await open(join(this.directory, LOG), "a+");
    // Same iteration order as above: nothing touched the index in between (every access is exclusive).
    let i = 0;
    for (const loc of this.index.values()) {
      loc.inLog = false;
      loc.offset = offsets[i]!;
      loc.length = lengths[i]!;
      i++;
    }
    this.logSize = 0;
    this.logLines = 0;
  }

  async *listRecords(): AsyncIterable<SyncRecord> {
    await this.init();
    for (const key of [...this.index.keys()]) {
      const record = await this.getRecord(key);
      if (record) yield record;
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
      await this.snapshot?.close();
      this.closed = true;
      await rm(join(this.directory, LOCK), { force: true });
    });
  }

  /** Number of records (tests, metrics). */
  get size(): number {
    return this.index.size;
  }
}

/**
 * On disk a record is JSON with its Sentinel base stored as the fields that differ from the Defender base
 * (usually one or two): that halves the size of a ledger of 100,000 pairs.
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

function expand(stored: SyncRecord): SyncRecord {
  const raw = stored as SyncRecord & { sentinelDelta?: Record<string, unknown> };
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
