import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import type { StateStore, SyncRecord } from "../sync/stateStore";

/** One check of the StateStore contract; `run` throws (node:assert) when the store breaks it. */
export interface StateStoreContractCase {
  name: string;
  run: () => Promise<void>;
}

function sample(
  id: string,
  sentinelName = `00000000-0000-4000-8000-${id.padStart(12, "0")}`,
): Omit<SyncRecord, "version"> {
  return {
    defenderId: id,
    sentinelName,
    link: "owned",
    defenderVersion: "2026-01-01T00:00:00.0000000Z",
    sentinelEtag: '"etag-1"',
    comments: [
      { defenderHash: "h1", sentinelCommentId: "11111111-1111-4111-8111-111111111111", origin: "defender" },
    ],
  };
}

/**
 * The contract every StateStore must honour, framework-agnostic. Use it to check your own store:
 *
 * ```ts
 * for (const c of stateStoreContract(() => new MyStore())) it(c.name, c.run);
 * ```
 * `createStore` must return a fresh, empty store each time.
 */
export function stateStoreContract(
  createStore: () => StateStore | Promise<StateStore>,
): StateStoreContractCase[] {
  const withStore = (fn: (s: StateStore) => Promise<void>) => async () => {
    const store = await createStore();
    try {
      await fn(store);
    } finally {
      await store.close?.();
    }
  };
  return [
    {
      name: "an empty store has no records and zeroed watermarks",
      run: withStore(async (s) => {
        strictEqual(await s.getRecord("1"), undefined);
        strictEqual(await s.findBySentinelName("00000000-0000-4000-8000-000000000001"), undefined);
        const w = await s.getWatermarks();
        strictEqual(w.version, 0);
        strictEqual(w.cycles, 0);
        strictEqual(w.defender, undefined);
      }),
    },
    {
      name: "putRecord with expectedVersion 0 creates version 1, readable by both keys",
      run: withStore(async (s) => {
        const stored = await s.putRecord(sample("1"), 0);
        strictEqual(stored.version, 1);
        deepStrictEqual(await s.getRecord("1"), stored);
        deepStrictEqual(await s.findBySentinelName(stored.sentinelName.toUpperCase()), stored);
      }),
    },
    {
      name: "a stale expectedVersion is refused with StateConflictError and changes nothing",
      run: withStore(async (s) => {
        await s.putRecord(sample("1"), 0);
        await rejects(s.putRecord({ ...sample("1"), defenderVersion: "x" }, 0), {
          name: "StateConflictError",
        });
        await rejects(s.putRecord({ ...sample("1"), defenderVersion: "x" }, 5), {
          name: "StateConflictError",
        });
        strictEqual((await s.getRecord("1"))?.defenderVersion, "2026-01-01T00:00:00.0000000Z");
        const v2 = await s.putRecord({ ...sample("1"), defenderVersion: "y" }, 1);
        strictEqual(v2.version, 2);
      }),
    },
    {
      name: "two concurrent writers with the same expected version: exactly one wins",
      run: withStore(async (s) => {
        await s.putRecord(sample("1"), 0);
        const results = await Promise.allSettled([
          s.putRecord({ ...sample("1"), defenderVersion: "a" }, 1),
          s.putRecord({ ...sample("1"), defenderVersion: "b" }, 1),
        ]);
        strictEqual(results.filter((r) => r.status === "fulfilled").length, 1);
        strictEqual((await s.getRecord("1"))?.version, 2);
      }),
    },
    {
      name: "returned records are copies: mutating them does not change the store",
      run: withStore(async (s) => {
        const stored = await s.putRecord(sample("1"), 0);
        stored.comments.push({ defenderHash: "x", sentinelCommentId: "y", origin: "sentinel" });
        const read = await s.getRecord("1");
        read!.sentinelEtag = "mutated";
        const again = await s.getRecord("1");
        strictEqual(again?.comments.length, 1);
        strictEqual(again?.sentinelEtag, '"etag-1"');
      }),
    },
    {
      name: "renaming the Sentinel side moves the secondary index",
      run: withStore(async (s) => {
        await s.putRecord(sample("1", "00000000-0000-4000-8000-00000000000a"), 0);
        await s.putRecord(sample("1", "00000000-0000-4000-8000-00000000000b"), 1);
        strictEqual(await s.findBySentinelName("00000000-0000-4000-8000-00000000000a"), undefined);
        strictEqual((await s.findBySentinelName("00000000-0000-4000-8000-00000000000b"))?.defenderId, "1");
      }),
    },
    {
      name: "deleteRecord is conditional and removes both keys",
      run: withStore(async (s) => {
        const r = await s.putRecord(sample("1"), 0);
        await rejects(s.deleteRecord("1", 7), { name: "StateConflictError" });
        await s.deleteRecord("1", r.version);
        strictEqual(await s.getRecord("1"), undefined);
        strictEqual(await s.findBySentinelName(r.sentinelName), undefined);
      }),
    },
    {
      name: "listRecords yields every record once",
      run: withStore(async (s) => {
        for (let i = 1; i <= 25; i++) await s.putRecord(sample(String(i)), 0);
        const seen: string[] = [];
        for await (const r of s.listRecords()) seen.push(r.defenderId);
        deepStrictEqual(seen.sort(), Array.from({ length: 25 }, (_, i) => String(i + 1)).sort());
      }),
    },
    {
      name: "watermarks are conditional too",
      run: withStore(async (s) => {
        const w1 = await s.putWatermarks({ defender: "2026-01-01T00:00:00.0000000Z", cycles: 1 }, 0);
        strictEqual(w1.version, 1);
        await rejects(s.putWatermarks({ cycles: 2 }, 0), { name: "StateConflictError" });
        const read = await s.getWatermarks();
        strictEqual(read.defender, "2026-01-01T00:00:00.0000000Z");
        strictEqual(read.cycles, 1);
        ok((await s.putWatermarks({ ...read, cycles: 2 }, 1)).version === 2);
      }),
    },
  ];
}

/**
 * Durability checks for stores that persist: data written by one instance is read by the next one
 * opened on the same location. `open` must return a store on the same location each time.
 */
export function durableStateStoreContract(
  open: () => StateStore | Promise<StateStore>,
): StateStoreContractCase[] {
  return [
    {
      name: "records and watermarks survive close and reopen",
      run: async () => {
        const a = await open();
        for (let i = 1; i <= 10; i++) await a.putRecord(sample(String(i)), 0);
        await a.putRecord({ ...sample("3"), defenderVersion: "v2" }, 1);
        await a.putWatermarks({ defender: "2026-02-02T00:00:00.0000000Z", cycles: 3 }, 0);
        await a.close?.();
        const b = await open();
        try {
          strictEqual((await b.getRecord("3"))?.defenderVersion, "v2");
          strictEqual((await b.getRecord("3"))?.version, 2);
          strictEqual((await b.getRecord("10"))?.version, 1);
          strictEqual((await b.getWatermarks()).cycles, 3);
          await rejects(b.putRecord(sample("3"), 1), { name: "StateConflictError" });
        } finally {
          await b.close?.();
        }
      },
    },
  ];
}
