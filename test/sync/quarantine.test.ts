/** The quarantine record of a failing pair: backoff, attempts, digest, and which pairs are due. */
import { describe, expect, it } from "vitest";
import { sentinelNameFor } from "../../src/sync/deterministicName";
import { InMemoryStateStore } from "../../src/sync/inMemoryStateStore";
import { dueQuarantine, quarantineWrite } from "../../src/sync/quarantine";

const NOW = new Date("2026-12-01T12:00:00Z");

function settings(store = new InMemoryStateStore()) {
  return {
    store,
    quarantineBackoff: { initialInMs: 60_000, maxInMs: 3_600_000 },
    now: () => NOW,
    tenantId: "tenant-1",
  };
}

describe("quarantineWrite", () => {
  it("a first failure: a new record under the deterministic name, next attempt after the initial backoff", async () => {
    const w = await quarantineWrite(settings(), { defenderId: "42" }, "bad payload", {
      payload: { id: "42" },
    });
    expect(w.attempts).toBe(1);
    expect(w.expectedVersion).toBe(0);
    expect(w.record).toMatchObject({
      defenderId: "42",
      sentinelName: sentinelNameFor("tenant-1", "42"),
      link: "owned",
      quarantine: { reason: "bad payload", attempts: 1, nextAttemptAt: "2026-12-01T12:01:00.000Z" },
    });
    expect(w.record.quarantine?.firstFailedAt).toBe(NOW.toISOString());
  });

  it("doubles the backoff per attempt up to the maximum, keeping the first failure time", async () => {
    const s = settings();
    let version = 0;
    const nextAttempts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const w = await quarantineWrite(s, { defenderId: "7" }, "still bad");
      version = (await s.store.putRecord(w.record, version)).version;
      nextAttempts.push(w.record.quarantine!.nextAttemptAt);
    }
    const delays = nextAttempts.map((t) => (Date.parse(t) - NOW.getTime()) / 60_000);
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    expect((await s.store.getRecord("7"))?.quarantine?.attempts).toBe(8);
  });

  it("does not change the record it is given", async () => {
    const store = new InMemoryStateStore();
    const record = Object.freeze(
      await store.putRecord({ defenderId: "9", sentinelName: "s-9", link: "connector", comments: [] }, 0),
    );
    const w = await quarantineWrite(settings(store), { defenderId: "9", record }, "x");
    expect(record.quarantine).toBeUndefined();
    expect(w.record).toMatchObject({ sentinelName: "s-9", link: "connector" });
    expect(w.expectedVersion).toBe(record.version);
  });
});

describe("dueQuarantine", () => {
  it("returns the pairs whose next attempt has come and drops pairs no longer quarantined", async () => {
    const s = settings();
    for (const [id, nextAttemptAt] of [
      ["due", "2026-12-01T11:59:00Z"],
      ["later", "2026-12-01T12:30:00Z"],
    ] as const) {
      await s.store.putRecord(
        {
          defenderId: id,
          sentinelName: `s-${id}`,
          link: "owned",
          comments: [],
          quarantine: {
            reason: "r",
            digest: "d",
            attempts: 1,
            nextAttemptAt,
            firstFailedAt: NOW.toISOString(),
          },
        },
        0,
      );
    }
    await s.store.putRecord({ defenderId: "healed", sentinelName: "s-h", link: "owned", comments: [] }, 0);
    const quarantined = new Set(["due", "later", "healed", "gone"]);
    expect(await dueQuarantine(s.store, quarantined, NOW)).toEqual(["due"]);
    expect([...quarantined].sort()).toEqual(["due", "later"]);
  });
});
