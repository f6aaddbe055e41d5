/** `TableStateStore`: the StateStore on Azure Table Storage, one partition per lane. */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { odata } from "@azure/data-tables";
import { InvalidArgumentError } from "../core/errors";
import {
  type PutRecordsResult,
  type RecordWrite,
  StateConflictError,
  type StateStore,
  type SyncRecord,
  type Watermarks,
} from "../sync/stateStore";
import { LruCache } from "./lruCache";
import {
  type BatchUnit,
  chunkUnits,
  MAX_TRANSACTION_OPERATIONS,
  runTransactions,
  statusOf,
} from "./tableBatch";
import {
  type DecodedRecord,
  decodeIndexEntity,
  decodeRecordEntity,
  decodeWatermarksEntity,
  type Entity,
  indexEntity,
  laneEntity,
  recordEntity,
  watermarksEntity,
} from "./tableEntities";
import type { TableEntityLocation } from "./tableErrors";
import {
  indexRowKey,
  partitionKeyFor,
  RECORD_PREFIX,
  RECORD_RANGE_END,
  recordRowKey,
  WATERMARKS_ROW,
} from "./tableKeys";
import { sameJson, wireSizeBytes } from "./tablePayload";
import {
  checkLane,
  type ResolvedTableOptions,
  resolveTuning,
  type TableStateStoreOptions,
  tableClientFrom,
} from "./tableStateStoreOptions";

/** What the store remembers of a record: the version its ETag holds, and its Sentinel name (lower case). */
interface CachedEtag {
  version: number;
  etag: string;
  sentinelKey?: string;
}

/** Table creation, shared by a store and the lane views made from it. */
interface SharedTable {
  ensured?: Promise<void>;
}

/**
 * The ledger in Azure Table Storage (or Azure Cosmos DB for Table), for fleets of lanes and several processes.
 *
 * ```ts
 * const ledger = new TableStateStore({ endpoint, credential, tableName: "defendersync" }); // TokenCredential
 * const contoso = ledger.forLane("contoso");                                                  // its own partition
 * // Tests: new TableStateStore({ connectionString, tableName, clientOptions: { allowInsecureConnection: true } })
 * ```
 *
 * Layout: one partition per lane. In it one entity per pair (row key `r:<Defender id>`, percent-encoded where Table
 * keys refuse a character, sha256 when too long; the id itself kept in a property), one index entity per Sentinel
 * name (`s:<name>` → Defender id), the watermarks (`m:watermarks`) and the lane's metadata (`m:lane`). A record is
 * JSON in one property, or gzip in binary properties of 64,000 bytes when it exceeds a string property's 64 KiB;
 * a record that does not fit an entity (1 MiB) is refused with InvalidArgumentError before anything is sent.
 *
 * Concurrency: every write is conditional on the entity's ETag (If-Match; a create fails if the entity exists), so
 * two writers never overwrite each other: a 412 or 409 becomes a StateConflictError. `version` is a counter
 * property of each entity; the ETag of the version last seen is kept in a bounded cache, and a write at a version
 * whose ETag is not cached reads the entity first. Everything read back is checked (layout, version, key, payload,
 * schema) and anything unexpected throws StateStoreCorruptedError naming the table, partition, row and key.
 *
 * Requests: getRecord 1; findBySentinelName 2 (index entity, then record: two point reads, where a filter on a
 * property would scan the lane's whole partition), 1 for a name this store has met (the record read confirms it);
 * putRecord 1 transaction (the record, plus its index entity when the name is new or changes), +1 read when the
 * ETag is not cached; putRecords 1 per 100 operations (100 updates or 50 new records); deleteRecord 2;
 * getWatermarks 1; putWatermarks 1; listRecords 1 per `pageSize` records, one page in memory.
 *
 * Azure Cosmos DB for Table (https://learn.microsoft.com/azure/cosmos-db/table/faq): the same code runs. Its
 * row keys are limited to 255 bytes (encoded keys stay under 203 characters), its batches to 2 MB (the default
 * `maxTransactionBytes` is 1.8 MB on a `*.table.cosmos.azure.com` endpoint), its query results are not sorted
 * (the store never relies on order), its table names are case-sensitive, and binary properties are stored less
 * compactly than on Table Storage. ETags are opaque on both services: the store compares nothing but equality.
 */
export class TableStateStore implements StateStore {
  /** This store's lane (its partition). */
  readonly lane: string;
  readonly tableClient: TableClient;
  private readonly partitionKey: string;
  private readonly settings: ResolvedTableOptions;
  private readonly cache: LruCache<CachedEtag>;
  /** Lower-case Sentinel name → Defender id, checked against the record on every use. */
  private readonly names: LruCache<string>;
  private watermarksEtag: CachedEtag | undefined;
  private shared: SharedTable = {};
  /** Transaction requests sent by the last `putRecord` / `putRecords` (retries included; tests, metrics). */
  lastTransactions = 0;

  constructor(options: TableStateStoreOptions) {
    this.tableClient = tableClientFrom(options);
    this.settings = resolveTuning(options, this.tableClient);
    this.lane = this.settings.lane;
    this.partitionKey = partitionKeyFor(this.lane);
    this.cache = new LruCache(this.settings.etagCacheSize);
    this.names = new LruCache(this.settings.etagCacheSize);
  }

  /** The same table, another lane's partition (shares the client; its own ETag cache). */
  forLane(lane: string): TableStateStore {
    const view = new TableStateStore({
      ...this.settings,
      tableClient: this.tableClient,
      lane: checkLane(lane),
    });
    view.shared = this.shared;
    return view;
  }

  async getRecord(defenderId: string): Promise<SyncRecord | undefined> {
    checkId("defenderId", defenderId);
    await this.ready();
    return (await this.readRecord(defenderId))?.record;
  }

  /**
   * The record whose Sentinel name is `sentinelName` (case-insensitive): through the index entity (two reads),
   * or one read when this store already met the name (the record read is checked to still carry it).
   */
  async findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined> {
    checkId("sentinelName", sentinelName);
    await this.ready();
    const key = sentinelName.toLowerCase();
    const remembered = this.names.get(key);
    if (remembered !== undefined) {
      const record = await this.getRecord(remembered);
      if (record?.sentinelName.toLowerCase() === key) return record;
      this.names.delete(key);
    }
    const rowKey = indexRowKey(sentinelName);
    const entity = await this.read(rowKey);
    if (!entity) return undefined;
    const defenderId = decodeIndexEntity(entity, this.where(rowKey, sentinelName));
    // An index entity left behind by an interrupted delete points to a record that no longer has this name.
    const record = defenderId === remembered ? undefined : await this.getRecord(defenderId);
    if (record?.sentinelName.toLowerCase() !== key) return undefined;
    this.names.set(key, defenderId);
    return record;
  }

  async putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord> {
    const { written, conflicts } = await this.putRecords([{ record, expectedVersion }]);
    if (conflicts[0]) throw conflicts[0];
    return written[0]!;
  }

  /**
   * Writes several records in entity group transactions (≤ 100 operations each, so ≤ 100 updates or ≤ 50 new
   * records a request). Each record is written or refused on its own: a record whose version does not match is
   * left out of its transaction and returned in `conflicts`, the others are written. Another failure
   * (throttling, network) is thrown; transactions already sent stay written — re-read before retrying.
   */
  async putRecords(writes: readonly RecordWrite[]): Promise<PutRecordsResult> {
    checkWrites(writes);
    await this.ready();
    const conflicts: StateConflictError[] = [];
    const units: BatchUnit[] = [];
    const pending = new Map<
      string,
      { payload: Omit<SyncRecord, "version">; version: number; sentinelKey: string }
    >();
    for (const { record, expectedVersion } of writes) {
      try {
        units.push(await this.recordUnit(record, expectedVersion));
        const payload = JSON.parse(JSON.stringify(withoutVersion(record))) as Omit<SyncRecord, "version">;
        const sentinelKey = record.sentinelName.toLowerCase();
        pending.set(record.defenderId, { payload, version: expectedVersion + 1, sentinelKey });
      } catch (e) {
        if (!(e instanceof StateConflictError)) throw e;
        conflicts.push(e);
      }
    }
    const chunks = chunkUnits(units, MAX_TRANSACTION_OPERATIONS, this.settings.maxTransactionBytes);
    const outcome = await runTransactions(this.tableClient, chunks);
    const written: SyncRecord[] = [];
    for (const { unit, etag } of outcome.committed) {
      const p = pending.get(unit.key)!;
      if (etag) this.cache.set(unit.key, { version: p.version, etag, sentinelKey: p.sentinelKey });
      else this.cache.delete(unit.key);
      this.names.set(p.sentinelKey, unit.key);
      written.push({ ...p.payload, version: p.version });
    }
    for (const { unit } of outcome.rejected) {
      const p = pending.get(unit.key)!;
      const stored = (await this.readRecord(unit.key))?.record;
      // A write whose response was lost is sent again by the client's retry policy and then fails its own
      // condition (412, or 409 for a create): the stored record is then exactly this write, at its version.
      if (stored?.version === p.version && sameJson(withoutVersion(stored), p.payload)) written.push(stored);
      else conflicts.push(new StateConflictError(unit.key, p.version - 1, stored?.version ?? 0));
    }
    this.lastTransactions = outcome.requests;
    return { written, conflicts };
  }

  /**
   * Conditional delete of the record (one request), then of its index entity (one more). The two are separate
   * requests because a transaction cannot carry a delete's If-Match in this client; an index entity left by a
   * failure in between is ignored by `findBySentinelName`, which checks the record it points to.
   */
  async deleteRecord(defenderId: string, expectedVersion: number): Promise<void> {
    checkId("defenderId", defenderId);
    checkVersion(expectedVersion);
    await this.ready();
    if (expectedVersion === 0) {
      const actual = await this.versionOf(defenderId);
      if (actual !== 0) throw new StateConflictError(defenderId, 0, actual);
      return;
    }
    const current = await this.current(defenderId, expectedVersion);
    try {
      await this.tableClient.deleteEntity(this.partitionKey, recordRowKey(defenderId), {
        etag: current.etag,
      });
    } catch (e) {
      const status = statusOf(e);
      if (status !== 412 && status !== 404) throw e;
      this.cache.delete(defenderId);
      throw new StateConflictError(defenderId, expectedVersion, await this.versionOf(defenderId));
    }
    this.cache.delete(defenderId);
    if (current.sentinelKey !== undefined) {
      this.names.delete(current.sentinelKey);
      await this.deleteQuietly(indexRowKey(current.sentinelKey));
    }
  }

  /** Every record of the lane, one page (`pageSize` records) at a time: only that page is held in memory. */
  async *listRecords(): AsyncIterable<SyncRecord> {
    await this.ready();
    const filter = odata`PartitionKey eq ${this.partitionKey} and RowKey ge ${RECORD_PREFIX} and RowKey lt ${RECORD_RANGE_END}`;
    const pages = this.tableClient
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: this.settings.pageSize });
    for await (const page of pages) {
      for (const entity of page) {
        const key = typeof entity.id === "string" ? entity.id : "(no id)";
        const decoded = await decodeRecordEntity(entity, this.where(entity.rowKey ?? "", key));
        this.cache.set(key, entryOf(decoded));
        yield decoded.record;
      }
    }
  }

  async getWatermarks(): Promise<Watermarks> {
    await this.ready();
    const entity = await this.read(WATERMARKS_ROW);
    if (!entity) {
      this.watermarksEtag = undefined;
      return { cycles: 0, version: 0 };
    }
    const { watermarks, etag } = await decodeWatermarksEntity(
      entity,
      this.where(WATERMARKS_ROW, "watermarks"),
    );
    this.watermarksEtag = { version: watermarks.version, etag };
    return watermarks;
  }

  async putWatermarks(watermarks: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks> {
    checkVersion(expectedVersion);
    await this.ready();
    const version = expectedVersion + 1;
    const entity = await watermarksEntity(
      this.partitionKey,
      watermarks,
      version,
      this.settings.maxEntityBytes,
    );
    let actions: TransactionAction[];
    if (expectedVersion === 0) {
      const lane = laneEntity(this.partitionKey, this.lane, this.settings.now());
      actions = [
        ["create", entity],
        ["upsert", lane, "Replace"],
      ];
    } else {
      const cached = this.watermarksEtag;
      const etag =
        cached?.version === expectedVersion ? cached.etag : await this.watermarksEtagAt(expectedVersion);
      actions = [["update", entity, "Replace", { etag }]];
    }
    const unit: BatchUnit = { key: "watermarks", actions, optional: new Set(), bytes: 0 };
    const outcome = await runTransactions(this.tableClient, [[unit]]);
    const payload = JSON.parse(JSON.stringify(withoutVersion(watermarks))) as Omit<Watermarks, "version">;
    if (!outcome.committed[0]) {
      const stored = await this.getWatermarks();
      // As for records: a retried write that lost its response finds itself stored.
      if (stored.version === version && sameJson(withoutVersion(stored), payload)) return stored;
      throw new StateConflictError("watermarks", expectedVersion, stored.version);
    }
    const etag = outcome.committed[0].etag;
    this.watermarksEtag = etag ? { version, etag } : undefined;
    return { ...payload, version };
  }

  /** Forgets cached ETags and names (the next write of each entity reads it first). The client needs no closing. */
  async close(): Promise<void> {
    this.cache.clear();
    this.names.clear();
    this.watermarksEtag = undefined;
  }

  /** The transaction unit of one record write; throws StateConflictError when the version is already wrong. */
  private async recordUnit(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<BatchUnit> {
    checkVersion(expectedVersion);
    const entity = await recordEntity(
      this.partitionKey,
      record,
      expectedVersion + 1,
      this.settings.maxEntityBytes,
    );
    const index = indexEntity(this.partitionKey, record.sentinelName, record.defenderId);
    const actions: TransactionAction[] = [];
    const optional = new Set<number>();
    if (expectedVersion === 0) {
      actions.push(["create", entity], ["upsert", index, "Replace"]);
    } else {
      const current = await this.current(record.defenderId, expectedVersion);
      actions.push(["update", entity, "Replace", { etag: current.etag }]);
      if (current.sentinelKey !== index.sn) {
        actions.push(["upsert", index, "Replace"]);
        if (current.sentinelKey !== undefined) {
          actions.push([
            "delete",
            { partitionKey: this.partitionKey, rowKey: indexRowKey(current.sentinelKey) },
          ]);
          optional.add(2);
        }
      }
    }
    const bytes = actions.reduce((sum, a) => sum + wireSizeBytes(a[1] as Entity), 0);
    return { key: record.defenderId, actions, optional, bytes };
  }

  /** The record as stored, with its ETag (remembered in the cache). */
  private async readRecord(defenderId: string): Promise<DecodedRecord | undefined> {
    const rowKey = recordRowKey(defenderId);
    const entity = await this.read(rowKey);
    if (!entity) {
      this.cache.delete(defenderId);
      return undefined;
    }
    const decoded = await decodeRecordEntity(entity, this.where(rowKey, defenderId));
    this.cache.set(defenderId, entryOf(decoded));
    return decoded;
  }

  /** The cached ETag of the record at `expectedVersion`, or a fresh read; StateConflictError if it is elsewhere. */
  private async current(defenderId: string, expectedVersion: number): Promise<CachedEtag> {
    const cached = this.cache.get(defenderId);
    if (cached?.version === expectedVersion) return cached;
    const decoded = await this.readRecord(defenderId);
    const actual = decoded?.record.version ?? 0;
    if (!decoded || actual !== expectedVersion)
      throw new StateConflictError(defenderId, expectedVersion, actual);
    return entryOf(decoded);
  }

  private async watermarksEtagAt(expectedVersion: number): Promise<string> {
    const actual = (await this.getWatermarks()).version;
    if (actual !== expectedVersion || !this.watermarksEtag) {
      throw new StateConflictError("watermarks", expectedVersion, actual);
    }
    return this.watermarksEtag.etag;
  }

  /** The stored version (0 when absent), for a conflict's message. */
  private async versionOf(defenderId: string): Promise<number> {
    return (await this.readRecord(defenderId))?.record.version ?? 0;
  }

  private async read(rowKey: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.tableClient.getEntity<Record<string, unknown>>(this.partitionKey, rowKey);
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  private async deleteQuietly(rowKey: string): Promise<void> {
    try {
      await this.tableClient.deleteEntity(this.partitionKey, rowKey);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  private where(rowKey: string, key: string): TableEntityLocation {
    return { table: this.tableClient.tableName, partitionKey: this.partitionKey, rowKey, key };
  }

  /** Creates the table once per store and its lane views (a no-op when it exists); retried after a failure. */
  private ready(): Promise<void> {
    if (!this.settings.createTable) return Promise.resolve();
    this.shared.ensured ??= this.tableClient.createTable().catch((e: unknown) => {
      this.shared.ensured = undefined;
      throw e;
    });
    return this.shared.ensured;
  }
}

function withoutVersion<T extends object>(value: T): Omit<T, "version"> {
  const { version: _version, ...rest } = value as T & { version?: unknown };
  return rest;
}

const entryOf = ({ record, etag }: DecodedRecord): CachedEtag => ({
  version: record.version,
  etag,
  sentinelKey: record.sentinelName.toLowerCase(),
});

function checkId(name: string, value: unknown): void {
  if (typeof value !== "string" || value.length === 0 || value.length > 1024) {
    throw new InvalidArgumentError(name, "must be a string of 1 to 1,024 characters");
  }
}

function checkVersion(expectedVersion: unknown): void {
  if (typeof expectedVersion !== "number" || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new InvalidArgumentError("expectedVersion", "must be a non-negative integer");
  }
}

function checkWrites(writes: readonly RecordWrite[]): void {
  if (!Array.isArray(writes))
    throw new InvalidArgumentError("writes", "must be an array of { record, expectedVersion }");
  const seen = new Set<string>();
  for (const w of writes) {
    checkId("record.defenderId", w?.record?.defenderId);
    if (seen.has(w.record.defenderId)) {
      throw new InvalidArgumentError("writes", `${JSON.stringify(w.record.defenderId)} appears twice`);
    }
    seen.add(w.record.defenderId);
  }
}
