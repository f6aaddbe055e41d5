import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AlertSource,
  createAlertRowMapper,
  FileStateStore,
  InMemoryStateStore,
  type StateStore,
  type Watermarks,
} from "defender-sentinel-sync";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAbortError, isInvalidArgumentError } from "../../src/core/errors";
import { allAlertKeys, patchAlert, rowIds, type SinkSetup, STREAM, setupSink } from "./helpers";

function maxVersion(keys: string[]): string {
  return keys
    .map((k) => k.slice(k.lastIndexOf("@") + 1))
    .sort()
    .at(-1)!;
}

describe("syncFromDefender", () => {
  let setup: SinkSetup;
  let dir: string;
  beforeEach(async () => {
    setup = await setupSink({ incidents: 200, seed: 3 });
    dir = await mkdtemp(join(tmpdir(), "alert-sink-"));
  });
  afterEach(async () => {
    await setup.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("uploads every alert once, then only what changed", async () => {
    const total = allAlertKeys(setup.emu);
    const store = new InMemoryStateStore();
    const first = await setup.sink.syncFromDefender(setup.defender, store);
    expect(first).toMatchObject({ uploaded: total.length, failed: 0, invalid: 0, retryPending: 0 });
    expect(first.listed).toBe(total.length);
    expect(first.watermark).toBe(maxVersion(total));
    expect(setup.emu.logs.count(STREAM)).toBe(total.length);
    expect(rowIds(setup.emu).duplicates).toEqual([]);

    const quiet = await setup.sink.syncFromDefender(setup.defender, store);
    expect(quiet.uploaded).toBe(0);
    expect(quiet.skipped).toBe(quiet.listed); // the overlap window is re-read and recognised
    expect(quiet.listed).toBeGreaterThan(0);

    const alert = setup.emu.defender.listIncidents().find((i) => i.alerts.length > 0)!.alerts[0]!;
    await patchAlert(setup, alert.id, { status: "inProgress" });
    const changed = await setup.sink.syncFromDefender(setup.defender, store);
    expect(changed.uploaded).toBe(1);
    const rows = setup.emu.logs.rows(STREAM).filter((r) => r.AlertId === alert.id);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.Status).toBe("inProgress");
    expect(rows[0]!.RowId).not.toBe(rows[1]!.RowId);
    expect(rowIds(setup.emu).duplicates).toEqual([]);
    const wm = await store.getWatermarks();
    expect(wm.alertSink?.watermark).toBe(changed.watermark);
    expect(wm.alertSink?.retry).toEqual([]);
  });

  it("a restarted process (new sink, store re-opened from disk) uploads nothing twice", async () => {
    const total = allAlertKeys(setup.emu);
    let store = new FileStateStore(dir);
    await setup.sink.syncFromDefender(setup.defender, store);
    await store.close();

    store = new FileStateStore(dir);
    const restarted = setup.newSink();
    const again = await restarted.syncFromDefender(setup.defender, store);
    expect(again.uploaded).toBe(0);
    const incident = setup.emu.defender.createIncident();
    const next = await restarted.syncFromDefender(setup.defender, store);
    expect(next.uploaded).toBe(incident.alerts.length);
    await store.close();
    expect(setup.emu.logs.count(STREAM)).toBe(total.length + incident.alerts.length);
    expect(rowIds(setup.emu).duplicates).toEqual([]);
  });

  it("an interrupted run resumes from the last page checkpoint without duplicates", async () => {
    const total = allAlertKeys(setup.emu);
    const store = new FileStateStore(dir);
    const controller = new AbortController();
    let batches = 0;
    setup.sink.on("uploaded", () => {
      if (++batches === 2) controller.abort(); // "killed" after the second page was uploaded
    });
    await expect(
      setup.sink.syncFromDefender(setup.defender, store, { pageSize: 100, abortSignal: controller.signal }),
    ).rejects.toSatisfy(isAbortError);
    expect(setup.emu.logs.count(STREAM)).toBe(200);
    const wm = await store.getWatermarks();
    expect(wm.alertSink?.boundary).toHaveLength(200);
    expect(wm.alertSink?.watermark).toBeUndefined(); // no window completed yet
    await store.close();

    const reopened = new FileStateStore(dir);
    const resumed = await setup.newSink().syncFromDefender(setup.defender, reopened, { pageSize: 100 });
    expect(resumed.uploaded).toBe(total.length - 200);
    expect(resumed.skipped).toBe(200);
    await reopened.close();
    expect(setup.emu.logs.count(STREAM)).toBe(total.length);
    expect(rowIds(setup.emu).duplicates).toEqual([]);
  });

  it("a crash between an accepted upload and its checkpoint re-sends that page; RowId identifies the copies", async () => {
    const total = allAlertKeys(setup.emu);
    const inner = new InMemoryStateStore();
    let writes = 0;
    const flaky: StateStore = Object.assign(Object.create(inner) as StateStore, {
      putWatermarks: async (w: Omit<Watermarks, "version">, v: number) => {
        if (++writes === 2) throw new Error("disk full");
        return inner.putWatermarks(w, v);
      },
    });
    await expect(setup.sink.syncFromDefender(setup.defender, flaky, { pageSize: 100 })).rejects.toThrow(
      "disk full",
    );
    await setup.sink.syncFromDefender(setup.defender, inner, { pageSize: 100 });
    const { ids, duplicates } = rowIds(setup.emu);
    expect(duplicates).toHaveLength(100); // the page whose checkpoint was lost
    expect(new Set(ids).size).toBe(total.length);
  });

  it("failed batches go to the retry list, are retried on the next run and never dropped", async () => {
    const total = allAlertKeys(setup.emu);
    const store = new InMemoryStateStore();
    const sink = setup.newSink({ maxConcurrency: 1 });
    // 500 four times: the first attempt and the client's 3 retries of the first batch.
    setup.emu.faults.script({ service: "logsIngestion", times: 4, fault: { kind: "status", status: 500 } });
    const first = await sink.syncFromDefender(setup.defender, store, {
      pageSize: 100,
      overlapInMs: 0,
    });
    expect(first.failed).toBeGreaterThan(0);
    expect(first.retryPending).toBe(first.failed);
    expect(first.uploaded).toBe(total.length - first.failed);
    expect(first.watermark).toBe(maxVersion(total)); // the feed moved on; the failures are tracked apart
    expect((await store.getWatermarks()).alertSink?.retry).toHaveLength(first.failed);

    const before = setup.emu.stats().defender.byRoute["GET /security/alerts_v2/{id}"] ?? 0;
    const second = await sink.syncFromDefender(setup.defender, store, { overlapInMs: 0 });
    const fetched = (setup.emu.stats().defender.byRoute["GET /security/alerts_v2/{id}"] ?? 0) - before;
    // Failed alerts older than the new listing window are re-read one by one; the others are listed again.
    expect(second.uploaded).toBe(first.failed);
    expect(second.retried).toBeGreaterThan(0);
    expect(fetched).toBe(second.retried);
    expect(second.retryPending).toBe(0);
    expect(setup.emu.logs.count(STREAM)).toBe(total.length);
    expect(rowIds(setup.emu).duplicates).toEqual([]);
  });

  it("a failed alert that no longer exists is abandoned with an event", async () => {
    const store = new InMemoryStateStore();
    const sink = setup.newSink({ maxConcurrency: 1 });
    // 500 four times: the first attempt and the client's 3 retries of the first batch.
    setup.emu.faults.script({ service: "logsIngestion", times: 4, fault: { kind: "status", status: 500 } });
    const first = await sink.syncFromDefender(setup.defender, store, { pageSize: 100, overlapInMs: 0 });
    expect(first.failed).toBeGreaterThan(0);
    const gone: AlertSource = {
      listAlerts: setup.defender.listAlerts.bind(setup.defender),
      getAlert: async () => undefined,
    };
    const abandoned: string[] = [];
    sink.on("retry.abandoned", (e) => abandoned.push(e.key.alertId));
    const second = await sink.syncFromDefender(gone, store, { overlapInMs: 0 });
    expect(second.abandoned).toBeGreaterThan(0);
    expect(second.abandoned + second.uploaded).toBe(first.failed);
    expect(abandoned).toHaveLength(second.abandoned);
    expect(second.retryPending).toBe(0);
  });

  it("an alert that cannot be mapped is reported once and not retried", async () => {
    const victim = setup.emu.defender.listIncidents().find((i) => i.alerts.length > 0)!.alerts[0]!.id;
    const sink = setup.newSink({
      mapping: createAlertRowMapper({
        build: (alert, ctx, next) => {
          if (alert.id === victim) throw new Error("cannot map this one");
          return next(alert, ctx);
        },
      }),
    });
    const invalid: string[] = [];
    sink.on("row.invalid", (e) => invalid.push(e.key.alertId));
    const store = new InMemoryStateStore();
    const first = await sink.syncFromDefender(setup.defender, store, { overlapInMs: 10 * 86_400_000 });
    expect(first.invalid).toBe(1);
    expect(invalid).toEqual([victim]);
    const second = await sink.syncFromDefender(setup.defender, store, { overlapInMs: 10 * 86_400_000 });
    expect(second.invalid).toBe(0);
    expect(second.retryPending).toBe(0);
  });

  it("backfillSince limits the first run", async () => {
    const total = allAlertKeys(setup.emu);
    const versions = total.map((k) => k.slice(k.lastIndexOf("@") + 1)).sort();
    const since = versions[Math.floor(versions.length / 2)]!;
    const report = await setup.sink.syncFromDefender(setup.defender, new InMemoryStateStore(), {
      backfillSince: since,
    });
    expect(report.uploaded).toBe(versions.filter((v) => v >= since).length);
  });

  it("validates its options", async () => {
    await expect(
      setup.sink.syncFromDefender(setup.defender, new InMemoryStateStore(), { pageSize: 5000 }),
    ).rejects.toSatisfy(isInvalidArgumentError);
  });
});

describe("syncFromDefender past Graph's $skip cap", () => {
  it("splits the listing window when a page is refused, and still uploads every alert once", async () => {
    const setup = await setupSink({ incidents: 600, seed: 11 });
    try {
      const total = allAlertKeys(setup.emu);
      expect(total.length).toBeGreaterThan(1000);
      const report = await setup.sink.syncFromDefender(setup.defender, new InMemoryStateStore(), {
        pageSize: 200,
      });
      expect(report.windows).toBeGreaterThan(1);
      expect(report.uploaded).toBe(total.length);
      expect(setup.emu.logs.count(STREAM)).toBe(total.length);
      expect(rowIds(setup.emu).duplicates).toEqual([]);
      expect(report.watermark).toBe(maxVersion(total));
    } finally {
      await setup.close();
    }
  });
});
