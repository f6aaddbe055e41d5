/**
 * TableStateStore against Azurite (started by this file): the StateStore contracts, options and lanes,
 * optimistic concurrency between instances (two processes), hostile entities, batch transactions, odd keys and
 * records near the entity limits. Paged listing in bounded memory and the requests of a SyncEngine cycle are in
 * tableStateStore.scale.test.ts.
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { TableClient } from "@azure/data-tables";
import {
  type StateConflictError,
  type SyncRecord,
  TableStateCorruptedError,
  TableStateStore,
} from "defender-sentinel-sync";
import { durableStateStoreContract, stateStoreContract } from "defender-sentinel-sync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStateStoreCorruptedError } from "../../src/core/errors";
import { indexRowKey, recordRowKey } from "../../src/stores/tableKeys";
import { isStateConflictError } from "../../src/sync/stateStore";
import { type Azurite, startAzurite } from "../helpers/azurite";
import { countedClient, countingPolicy, freshTableName, sampleRecord } from "./tableStoreHelpers";

let az: Azurite;
beforeAll(async () => {
  az = await startAzurite();
}, 60_000);
afterAll(async () => {
  await az?.stop();
});

const http = { allowInsecureConnection: true };
const newStore = (tableName = freshTableName(), lane?: string) =>
  new TableStateStore({ connectionString: az.connectionString, tableName, clientOptions: http, lane });
const rawClient = (tableName: string) =>
  TableClient.fromConnectionString(az.connectionString, tableName, http);
const isBatch = (line: string) => line.endsWith("/$batch");

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("TableStateStore contract", () => {
  for (const c of stateStoreContract(() => newStore())) it(c.name, c.run);
  let durableTable = "";
  for (const c of durableStateStoreContract(() => newStore((durableTable ||= freshTableName()), "durable"))) {
    it(c.name, c.run);
  }
});

describe("TableStateStore lanes", () => {
  let root: TableStateStore;
  let lanes = 0;
  beforeAll(() => {
    root = newStore();
  });
  for (const c of stateStoreContract(() => root.forLane(`lane ${lanes++}: contoso.eu`))) {
    it(`forLane: ${c.name}`, c.run);
  }

  it("keeps lanes apart and creates the table once for all lane views", async () => {
    const { client, log } = countedClient(az.connectionString, freshTableName());
    const fleet = new TableStateStore({ tableClient: client });
    const [a, b] = [fleet.forLane("contoso"), fleet.forLane("fabrikam")];
    await a.putRecord(sampleRecord("1"), 0);
    await b.putRecord(sampleRecord("1", { defenderVersion: "b" }), 0);
    await a.putWatermarks({ cycles: 4 }, 0);
    expect((await b.getRecord("1"))?.defenderVersion).toBe("b");
    expect((await a.getRecord("1"))?.defenderVersion).toBe("2026-01-01T00:00:00.0000000Z");
    expect((await b.getWatermarks()).cycles).toBe(0);
    const listed: string[] = [];
    for await (const r of fleet.forLane("fabrikam").listRecords())
      listed.push(`${r.defenderId}:${r.defenderVersion}`);
    expect(listed).toEqual(["1:b"]);
    expect(log.count((l) => l.startsWith("POST") && l.endsWith("/Tables"))).toBe(1);
    expect(a.lane).toBe("contoso");
  });

  it("writes the lane's metadata with its first watermarks", async () => {
    const table = freshTableName();
    await newStore(table, "Contoso EU").putWatermarks({ cycles: 1 }, 0);
    const meta = await rawClient(table).getEntity("Contoso%20EU", "m:lane");
    expect(meta).toMatchObject({ lane: "Contoso EU", fmt: 1 });
  });

  it("refuses options a table cannot take, with typed errors", () => {
    const base = { connectionString: "UseDevelopmentStorage=true", tableName: "ledger" };
    expect(() => new TableStateStore({ ...base, tableName: "no-dashes" })).toThrow(/tableName/);
    expect(() => new TableStateStore({ ...base, lane: "contoso/eu" })).toThrow(/Invalid lane/);
    expect(() => new TableStateStore({ ...base, lane: "" })).toThrow(/Invalid lane/);
    expect(() => new TableStateStore({ ...base, pageSize: 1001 })).toThrow(/Invalid pageSize/);
    expect(
      () => new TableStateStore({ endpoint: "not a url", credential: {} as never, tableName: "x1y" }),
    ).toThrow(/Invalid endpoint/);
    expect(() => newStore().forLane("a#b")).toThrow(
      expect.objectContaining({ name: "InvalidArgumentError" }),
    );
  });
});

describe("TableStateStore concurrency between instances", () => {
  it("two processes writing one record at the same version: one wins, the other gets StateConflictError", async () => {
    const table = freshTableName();
    const [p1, p2] = [newStore(table, "shared"), newStore(table, "shared")];
    await p1.putRecord(sampleRecord("7"), 0);
    // Both read version 1 (and cache its ETag), then write it at the same time.
    await Promise.all([p1.getRecord("7"), p2.getRecord("7")]);
    const results = await Promise.allSettled([
      p1.putRecord(sampleRecord("7", { defenderVersion: "p1" }), 1),
      p2.putRecord(sampleRecord("7", { defenderVersion: "p2" }), 1),
    ]);
    const won = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<SyncRecord>[];
    const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = lost[0]!.reason as StateConflictError;
    expect(isStateConflictError(error)).toBe(true);
    expect(error).toMatchObject({ key: "7", expectedVersion: 1, actualVersion: 2 });
    const stored = await newStore(table, "shared").getRecord("7");
    expect(stored).toEqual(won[0]!.value);
    expect(stored?.version).toBe(2);
  });

  it("two processes creating one record: the second insert fails (409) as a conflict", async () => {
    const table = freshTableName();
    const results = await Promise.allSettled([
      newStore(table).putRecord(sampleRecord("9", { defenderVersion: "a" }), 0),
      newStore(table).putRecord(sampleRecord("9", { defenderVersion: "b" }), 0),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ name: "StateConflictError", expectedVersion: 0, actualVersion: 1 });
  });

  it("a cached ETag another process made stale is refused by the service (412), then the fresh version works", async () => {
    const table = freshTableName();
    const [a, b] = [newStore(table), newStore(table)];
    await a.putRecord(sampleRecord("3"), 0);
    await b.putRecord(sampleRecord("3", { defenderVersion: "b" }), 1);
    await expect(a.putRecord(sampleRecord("3", { defenderVersion: "a" }), 1)).rejects.toMatchObject({
      name: "StateConflictError",
      actualVersion: 2,
    });
    expect((await a.putRecord(sampleRecord("3", { defenderVersion: "a" }), 2)).version).toBe(3);
    expect((await b.getRecord("3"))?.defenderVersion).toBe("a");
  });

  it("a write at a cached version is one request; without the cache it reads first", async () => {
    const table = freshTableName();
    const cached = countedClient(az.connectionString, table);
    const store = new TableStateStore({ tableClient: cached.client });
    await store.putRecord(sampleRecord("1"), 0);
    cached.log.reset();
    await store.putRecord(sampleRecord("1", { defenderVersion: "x" }), 1);
    expect(cached.log.lines).toEqual([expect.stringMatching(/\/\$batch$/)]);
    const uncached = countedClient(az.connectionString, table);
    const cold = new TableStateStore({ tableClient: uncached.client, etagCacheSize: 0 });
    await cold.putRecord(sampleRecord("1", { defenderVersion: "y" }), 2);
    expect(uncached.log.count((l) => l.startsWith("GET"))).toBe(1);
    expect(uncached.log.count(isBatch)).toBe(1);
    await expect(cold.putRecord(sampleRecord("1"), 2)).rejects.toMatchObject({ actualVersion: 3 });
  });

  it("a write whose response was lost, sent again by the client's retry policy, is recognised as written", async () => {
    let loseNext = false;
    const loseResponse: PipelinePolicy = {
      name: "loseResponse",
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (!loseNext || !request.url.endsWith("$batch")) return response;
        loseNext = false; // the service applied the write; the client sees a 503 and sends it again
        return { ...response, status: 503 };
      },
    };
    const { policy, log } = countingPolicy();
    const client = TableClient.fromConnectionString(az.connectionString, freshTableName(), {
      ...http,
      retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 2 },
      additionalPolicies: [
        { policy: loseResponse, position: "perRetry" },
        { policy, position: "perRetry" },
      ],
    });
    const store = new TableStateStore({ tableClient: client });
    const steps = [
      () => store.putRecord(sampleRecord("1"), 0),
      () => store.putRecord(sampleRecord("1", { defenderVersion: "v2" }), 1),
      () => store.putWatermarks({ cycles: 1 }, 0),
      () => store.putWatermarks({ cycles: 2, defender: "2026-01-01T00:00:00Z" }, 1),
    ];
    const versions: number[] = [];
    for (const step of steps) {
      log.reset();
      loseNext = true;
      versions.push((await step()).version);
      expect(log.count(isBatch)).toBe(2); // the lost attempt and its retry (412, or 409 for a create)
    }
    expect(versions).toEqual([1, 2, 1, 2]);
    expect((await store.getRecord("1"))?.defenderVersion).toBe("v2");
    expect(await store.getWatermarks()).toMatchObject({ cycles: 2, version: 2 });
  });

  it("watermarks written by two processes at the same version: one wins", async () => {
    const table = freshTableName();
    const [a, b] = [newStore(table), newStore(table)];
    await a.putWatermarks({ cycles: 1 }, 0);
    await Promise.all([a.getWatermarks(), b.getWatermarks()]);
    const results = await Promise.allSettled([
      a.putWatermarks({ cycles: 2 }, 1),
      b.putWatermarks({ cycles: 3 }, 1),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({
      key: "watermarks",
      actualVersion: 2,
    });
  });
});

describe("TableStateStore hostile entities", () => {
  const table = freshTableName();
  const lane = "hostile";
  const plant = async (rowKey: string, props: Record<string, unknown>) => {
    const client = rawClient(table);
    await client.createTable();
    await client.upsertEntity({ partitionKey: lane, rowKey, ...props }, "Replace");
  };
  const good = { fmt: 1, v: 1, id: "h", sn: "00000000-0000-4000-8000-000000000000", enc: "json" };
  const payload = (o: object) => JSON.stringify({ ...sampleRecord("h", { sentinelName: good.sn }), ...o });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a payload that is not JSON", { ...good, json: "{not json" }, /not valid JSON/],
    ["a record of the wrong shape", { ...good, json: payload({ link: "stolen" }) }, /wrong shape: link/],
    ["a missing payload", { ...good, json: undefined }, /json is not a string/],
    ["a version that is not a number", { ...good, v: "7", json: payload({}) }, /property v is "7"/],
    ["a version below 1", { ...good, v: 0, json: payload({}) }, /property v is 0/],
    ["a layout from a newer version", { ...good, fmt: 2, json: payload({}) }, /newer version/],
    ["an unknown encoding", { ...good, enc: "brotli", json: payload({}) }, /enc is "brotli"/],
    [
      "a record filed under another id",
      { ...good, json: payload({ defenderId: "other" }) },
      /defenderId is not/,
    ],
    ["a name index that disagrees", { ...good, sn: "x", json: payload({}) }, /sn is not the record's name/],
    [
      "gzip parts that are not gzip",
      { ...good, enc: "gzip", parts: 1, d0: randomBytes(64) },
      /does not inflate/,
    ],
    [
      "a missing gzip part",
      { ...good, enc: "gzip", parts: 2, d0: gzipSync(payload({})) },
      /d1 is not binary/,
    ],
    ["an absurd part count", { ...good, enc: "gzip", parts: 10_000 }, /parts is 10000/],
    ["a payload that is an array", { ...good, json: "[1,2]" }, /not an object/],
  ];
  for (const [name, props, message] of cases) {
    it(`${name}: StateStoreCorruptedError naming the key, entity left as it was`, async () => {
      await plant(recordRowKey("h"), props);
      const store = newStore(table, lane);
      const error = await rejection(store.getRecord("h"));
      expect(isStateStoreCorruptedError(error)).toBe(true);
      expect(error).toBeInstanceOf(TableStateCorruptedError);
      expect(error).toMatchObject({ key: "h", rowKey: "r:h", partitionKey: lane });
      expect(error.message).toMatch(/key "h"/);
      expect(error.message).toMatch(message);
      // Writing over it needs a version the store cannot know: refused, nothing written.
      await expect(store.putRecord(sampleRecord("h"), 1)).rejects.toMatchObject({
        name: "StateStoreCorruptedError",
      });
      const after = await rawClient(table).getEntity(lane, "r:h");
      expect(after.v).toEqual(props.v);
    });
  }

  it("a gzip bomb is refused instead of inflated", async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 32), { level: 9 });
    const parts: Record<string, Uint8Array> = {};
    for (let i = 0; i * 64_000 < bomb.length; i++)
      parts[`d${i}`] = bomb.subarray(i * 64_000, (i + 1) * 64_000);
    await plant(recordRowKey("bomb"), {
      ...good,
      id: "bomb",
      enc: "gzip",
      parts: Object.keys(parts).length,
      ...parts,
    });
    const error = await rejection(newStore(table, lane).getRecord("bomb"));
    expect(error).toMatchObject({ name: "StateStoreCorruptedError", key: "bomb" });
    expect(error.message).toMatch(/does not inflate/);
  });

  it("a hostile entity stops a listing with an error naming it", async () => {
    const store = newStore(table, "listing");
    await store.putRecord(sampleRecord("ok"), 0);
    await plant(recordRowKey("bad"), { ...good, id: "bad", json: "{" }); // in lane "hostile", not "listing"
    const client = rawClient(table);
    await client.upsertEntity(
      { partitionKey: "listing", rowKey: "r:zz", ...good, id: "zz", json: "{" },
      "Replace",
    );
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const r of store.listRecords()) seen.push(r.defenderId);
      })(),
    );
    expect(seen).toEqual(["ok"]);
    expect(error).toMatchObject({ name: "StateStoreCorruptedError", key: "zz" });
  });

  it("an entity whose id does not match its row key is refused", async () => {
    await plant(recordRowKey("k1"), { ...good, id: "k2", json: payload({ defenderId: "k2" }) });
    await expect(newStore(table, lane).getRecord("k1")).rejects.toThrow(
      /property id is "k2", expected the key/,
    );
  });

  it("watermarks and index entities are checked too", async () => {
    await plant("m:watermarks", { fmt: 1, v: 3, enc: "json", json: '{"cycles":"many"}' });
    const w = await rejection(newStore(table, lane).getWatermarks());
    expect(w).toMatchObject({ name: "StateStoreCorruptedError", key: "watermarks" });
    expect(w.message).toMatch(/cycles/);
    await plant(indexRowKey("NAME-1"), { fmt: 1, id: 42 });
    await expect(newStore(table, lane).findBySentinelName("name-1")).rejects.toMatchObject({
      name: "StateStoreCorruptedError",
      key: "name-1",
    });
  });

  it("an index entity pointing at a record with another name finds nothing", async () => {
    const store = newStore(table, "stale-index");
    await store.putRecord(sampleRecord("5", { sentinelName: "name-b" }), 0);
    const client = rawClient(table);
    await client.upsertEntity({
      partitionKey: "stale-index",
      rowKey: indexRowKey("name-a"),
      fmt: 1,
      id: "5",
    });
    expect(await store.findBySentinelName("name-a")).toBeUndefined();
    expect((await store.findBySentinelName("NAME-B"))?.defenderId).toBe("5");
  });
});

describe("TableStateStore batches", () => {
  const many = (n: number, extra: Partial<SyncRecord> = {}) =>
    Array.from({ length: n }, (_, i) => sampleRecord(`b${i}`, { sentinelName: `name-${i}`, ...extra }));

  it("250 new records: 5 transactions (record + name index each, ≤ 100 operations); 250 updates: 3", async () => {
    const { client, log } = countedClient(az.connectionString, freshTableName());
    const store = new TableStateStore({ tableClient: client });
    await store.getWatermarks(); // creates the table
    log.reset();
    const created = await store.putRecords(many(250).map((record) => ({ record, expectedVersion: 0 })));
    expect(created.conflicts).toEqual([]);
    expect(created.written).toHaveLength(250);
    expect(log.count(isBatch)).toBe(5);
    expect(log.count()).toBe(5);
    expect(store.lastTransactions).toBe(5);
    log.reset();
    const updated = await store.putRecords(
      many(250, { defenderVersion: "v2" }).map((record) => ({ record, expectedVersion: 1 })),
    );
    expect(updated.written.every((r) => r.version === 2)).toBe(true);
    expect(log.lines).toEqual([
      expect.stringMatching(/\$batch$/),
      expect.stringMatching(/\$batch$/),
      expect.stringMatching(/\$batch$/),
    ]);
    expect((await store.getRecord("b249"))?.defenderVersion).toBe("v2");
    expect((await store.findBySentinelName("NAME-123"))?.defenderId).toBe("b123");
  });

  it("stale records in a batch come back as conflicts; the rest of their transaction is written", async () => {
    const table = freshTableName();
    const store = newStore(table);
    await store.putRecords(many(150).map((record) => ({ record, expectedVersion: 0 })));
    const other = newStore(table);
    await other.putRecord(sampleRecord("b10", { sentinelName: "name-10", defenderVersion: "other" }), 1);
    await other.putRecord(sampleRecord("b120", { sentinelName: "name-120", defenderVersion: "other" }), 1);
    const result = await store.putRecords(
      many(150, { defenderVersion: "mine" }).map((record) => ({ record, expectedVersion: 1 })),
    );
    expect(result.written).toHaveLength(148);
    expect(result.conflicts.map((c) => [c.key, c.expectedVersion, c.actualVersion]).sort()).toEqual([
      ["b10", 1, 2],
      ["b120", 1, 2],
    ]);
    expect(store.lastTransactions).toBe(4); // 2 transactions, each sent again without its stale record
    expect((await store.getRecord("b10"))?.defenderVersion).toBe("other");
    expect((await store.getRecord("b11"))?.defenderVersion).toBe("mine");
    expect((await store.getRecord("b121"))?.version).toBe(2);
  });

  it("a rename in a batch moves the name index in the same transaction", async () => {
    const store = newStore();
    await store.putRecords(many(3).map((record) => ({ record, expectedVersion: 0 })));
    const renamed = many(3).map((record, i) => ({
      record: { ...record, sentinelName: `renamed-${i}` },
      expectedVersion: 1,
    }));
    await store.putRecords(renamed);
    expect(store.lastTransactions).toBe(1);
    expect(await store.findBySentinelName("name-1")).toBeUndefined();
    expect((await newStore(store.tableClient.tableName).findBySentinelName("renamed-1"))?.defenderId).toBe(
      "b1",
    );
  });

  it("transactions also stay under the byte limit", async () => {
    const table = freshTableName();
    const store = new TableStateStore({
      connectionString: az.connectionString,
      tableName: table,
      clientOptions: http,
      maxTransactionBytes: 100_000,
    });
    const big = many(10, { renderDigest: "x".repeat(30_000) });
    const result = await store.putRecords(big.map((record) => ({ record, expectedVersion: 0 })));
    expect(result.written).toHaveLength(10);
    expect(store.lastTransactions).toBe(4); // 3 records (≈ 32 KB each on the wire) a transaction
  });

  it("two records claiming one Sentinel name go to separate transactions, the later one owning the name", async () => {
    const store = newStore();
    const writes = [
      sampleRecord("c1", { sentinelName: "same" }),
      sampleRecord("c2", { sentinelName: "other" }),
      sampleRecord("c3", { sentinelName: "SAME" }),
    ].map((record) => ({ record, expectedVersion: 0 }));
    const result = await store.putRecords(writes);
    expect(result.written.map((r) => r.defenderId).sort()).toEqual(["c1", "c2", "c3"]);
    expect(store.lastTransactions).toBe(2);
    expect((await newStore(store.tableClient.tableName).findBySentinelName("same"))?.defenderId).toBe("c3");
  });

  it("refuses a batch naming one record twice, writing nothing", async () => {
    const store = newStore();
    const twice = [sampleRecord("d"), sampleRecord("d")].map((record) => ({ record, expectedVersion: 0 }));
    await expect(store.putRecords(twice)).rejects.toMatchObject({ name: "InvalidArgumentError" });
    expect(await store.getRecord("d")).toBeUndefined();
  });
});

describe("TableStateStore keys", () => {
  const odd = [
    "a/b",
    "a%2Fb",
    "c\\d",
    "e#f",
    "g?h",
    "tab\there",
    "nul\u0000x",
    "del\u007f\u0085",
    "it's",
    "100%",
    "plus+ space ",
    "ünïcødé 😀",
    "r;",
    "~x",
    "s:1",
    "..",
    "(a)=b&c",
    "x".repeat(900),
    `${"é".repeat(150)}!`,
  ];

  it("round-trips ids and names Table keys refuse, each under its own escaped key", async () => {
    const table = freshTableName();
    const store = newStore(table, "odd lane: é+%~'");
    for (const [i, id] of odd.entries()) {
      const stored = await store.putRecord(sampleRecord(id, { sentinelName: `Name ${id}` }), 0);
      expect(stored.defenderId).toBe(id);
      expect((await store.getRecord(id))?.defenderId).toBe(id);
      expect((await newStore(table, "odd lane: é+%~'").findBySentinelName(`NAME ${id}`))?.defenderId).toBe(
        id,
      );
      expect(
        (await store.putRecord(sampleRecord(id, { sentinelName: `Name ${id}`, renderDigest: `${i}` }), 1))
          .version,
      ).toBe(2);
    }
    const listed: string[] = [];
    for await (const r of store.listRecords()) listed.push(r.defenderId);
    expect(listed.sort()).toEqual([...odd].sort());
    const keys: string[] = [];
    for await (const e of rawClient(table).listEntities()) keys.push(e.partitionKey!, e.rowKey!);
    expect(keys.filter((k) => /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(k))).toEqual([]);
    expect(Math.max(...keys.map((k) => Buffer.byteLength(k)))).toBeLessThanOrEqual(255); // Cosmos DB's row key limit
    expect(new Set(keys.filter((k) => k.startsWith("r:"))).size).toBe(odd.length);
  });

  it("refuses the lane id the Table keys cannot hold", () => {
    expect(() => newStore(freshTableName(), "a\\b")).toThrow(/Invalid lane/);
  });
});

describe("TableStateStore large records", () => {
  const storedEntity = async (store: TableStateStore, id: string) =>
    rawClient(store.tableClient.tableName).getEntity(store.lane, recordRowKey(id));

  it("keeps small records as readable JSON and gzips larger ones", async () => {
    const store = newStore();
    const small = await store.putRecord(sampleRecord("s", { renderDigest: "x".repeat(31_000) }), 0);
    const large = await store.putRecord(sampleRecord("l", { renderDigest: "x".repeat(33_000) }), 0);
    expect(await storedEntity(store, "s")).toMatchObject({ enc: "json" });
    expect(await storedEntity(store, "l")).toMatchObject({ enc: "gzip", parts: 1 });
    expect(await store.getRecord("s")).toEqual(small);
    expect(await store.getRecord("l")).toEqual(large);
  });

  it("stores a record just under the 1 MiB entity limit across 17 binary properties", async () => {
    const store = newStore();
    const noise = randomBytes(1_030_000).toString("base64"); // incompressible: gzip cannot shrink it below 1 MB
    const stored = await store.putRecord(sampleRecord("big", { renderDigest: noise }), 0);
    const entity = await storedEntity(store, "big");
    expect(entity).toMatchObject({ enc: "gzip", parts: 17 });
    const back = await newStore(store.tableClient.tableName).getRecord("big");
    expect(back).toEqual(stored);
    expect(back?.renderDigest).toBe(noise);
  });

  it("refuses a record over the limit with InvalidArgumentError, sending nothing and keeping the old version", async () => {
    const { client, log } = countedClient(az.connectionString, freshTableName());
    const store = new TableStateStore({ tableClient: client });
    await store.putRecord(sampleRecord("over"), 0);
    log.reset();
    const error = await rejection(
      store.putRecord(sampleRecord("over", { renderDigest: randomBytes(1_100_000).toString("base64") }), 1),
    );
    expect(error).toMatchObject({ name: "InvalidArgumentError", argument: "record" });
    expect(error.message).toMatch(/"over" takes \d+ bytes .* over the 1048576-byte limit/);
    expect(log.count(isBatch)).toBe(0);
    expect((await store.getRecord("over"))?.version).toBe(1);
  });

  it("large watermarks are gzipped too", async () => {
    const store = newStore();
    const quarantined = Array.from({ length: 6_000 }, (_, i) => `incident-${i}`);
    await store.putWatermarks({ cycles: 1, quarantined }, 0);
    expect((await newStore(store.tableClient.tableName).getWatermarks()).quarantined).toEqual(quarantined);
    const raw = await rawClient(store.tableClient.tableName).getEntity("default", "m:watermarks");
    expect(raw.enc).toBe("gzip");
  });

  it("refuses a record the schema would refuse on reading, instead of writing it", async () => {
    const store = newStore();
    const bad = { ...sampleRecord("z"), link: "stolen" } as unknown as SyncRecord;
    await expect(store.putRecord(bad, 0)).rejects.toMatchObject({ name: "InvalidArgumentError" });
    expect(await store.getRecord("z")).toBeUndefined();
  });
});
