/**
 * Copies Microsoft's Defender XDR connector already made are linked, not duplicated — and linking them costs no
 * Graph call of its own: the Defender listing of the same cycle already brings each copy's Defender incident.
 */
import {
  type IncidentFailedEvent,
  InMemoryStateStore,
  StateConflictError,
  type SyncRecord,
} from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { expectConverged, routeCount, useSyncSetups } from "../helpers/engine";

const setup = useSyncSetups();

describe("connector copies", () => {
  it("a backfill links the connector's copies with the Graph listing alone, no GET per copy", async () => {
    const N = 120;
    const t = await setup({ incidents: N, seed: 5, emulator: { connectorCopies: 0.15 } });
    const copies = t.emu.sentinel.listIncidents().length;
    expect(copies).toBeGreaterThanOrEqual(10);

    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(r.counts.linked).toBe(copies);
    expect(r.counts.created).toBe(N - copies);
    // One count call plus the list pages (50 incidents each, and possibly an empty last page).
    expect(routeCount(t.emu, "defender", /^GET \/security\/incidents\/\{id\}/)).toBe(0);
    expect(r.apiCalls.defender).toBeLessThanOrEqual(Math.ceil(N / 50) + 2);
    expect(r.apiCalls.defender).toBe(routeCount(t.emu, "defender", /^GET \/security\/incidents$/));
    await expectConverged(t.emu, t.store);
  });

  it("a copy whose Defender incident the Defender listing does not bring is still linked in the same cycle", async () => {
    const t = await setup({ incidents: 6, seed: 9, emulator: { connectorCopies: 0.5 } });
    const [copy] = t.emu.sentinel.listIncidents();
    expect(copy).toBeDefined();
    // Every generated Defender incident is older than backfillSince; only the copy changes after it.
    const engine = t.restart({ backfillSince: new Date(Date.now() - 1_000) });
    t.emu.sentinel.editIncident(copy!.name, { severity: "High" });

    const r = await engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(r.counts.linked).toBe(1);
    expect(r.counts.created).toBe(0);
    const defenderId = copy!.properties.providerIncidentId;
    expect(await t.store.getRecord(defenderId)).toMatchObject({
      sentinelName: copy!.name,
      link: "connector",
    });
    // One GET for that incident, since no listing brought it.
    expect(routeCount(t.emu, "defender", /^GET \/security\/incidents\/\{id\}/)).toBe(1);
    // The Sentinel watermark moved past the copy: the next cycle does not link it again.
    const again = await engine.runOnce();
    expect(again.counts.linked).toBe(0);
    expect(again.counts.seen).toBe(0);
  });

  it("a new incident that fails its schema is quarantined once, pointing at the copy the Sentinel pass found", async () => {
    const t = await setup({ incidents: 10, seed: 7, emulator: { connectorCopies: 0.5 } });
    const copy = t.emu.sentinel.listIncidents()[0]!;
    const id = copy.properties.providerIncidentId;
    t.emu.defender.editIncident(id, { severity: 42 as never });
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("incident.failed", (e) => failed.push(e));

    const r = await t.engine.runOnce();
    expect(failed).toMatchObject([{ defenderId: id, quarantined: true, attempts: 1 }]);
    expect(r.counts.quarantined).toBe(1);
    expect(await t.store.getRecord(id)).toMatchObject({ sentinelName: copy.name, link: "connector" });
    expect(routeCount(t.emu, "defender", /^GET \/security\/incidents\/\{id\}/)).toBe(0);
  });

  it("a connector copy whose linking fails transiently holds the Sentinel watermark until it is linked", async () => {
    let failFor: string | undefined;
    // The ledger write of one pair loses a race once: a transient failure, retried next cycle.
    class FlakyStore extends InMemoryStateStore {
      override async putRecord(record: Omit<SyncRecord, "version">, version: number): Promise<SyncRecord> {
        if (record.defenderId === failFor) {
          failFor = undefined;
          throw new StateConflictError(record.defenderId, version, version + 1);
        }
        return super.putRecord(record, version);
      }
    }
    const flaky = new FlakyStore();
    const t = await setup({ incidents: 30, seed: 5, emulator: { connectorCopies: 0.3 }, store: flaky });
    const target = t.emu.sentinel.listIncidents()[0]!;
    failFor = target.properties.providerIncidentId;

    const first = await t.engine.runOnce();
    expect(first.failures).toMatchObject([
      { defenderId: target.properties.providerIncidentId, transient: true },
    ]);
    const mark = (await t.store.getWatermarks()).sentinel!;
    expect(Date.parse(mark)).toBeLessThanOrEqual(Date.parse(target.properties.lastModifiedTimeUtc));

    const second = await t.engine.runOnce();
    expect(second.failures).toEqual([]);
    expect(second.counts.linked).toBe(1);
    await expectConverged(t.emu, t.store);
  });
});
