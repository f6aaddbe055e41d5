import {
  DEFAULT_ALERT_STREAM_NAME,
  DefenderClient,
  LogsIngestionAlertSink,
  SentinelClient,
  SyncEngine,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { afterEach, describe, expect, it } from "vitest";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup(reconcileEveryNCycles = 0) {
  const emu = createEmulator({ seed: 21, incidents: 12, throttling: false });
  const server = await emu.listen();
  closers.push(() => server.close());
  const retryOptions = { retryDelayInMs: 1, maxRetryDelayInMs: 5, maxRetries: 1 };
  const defender = new DefenderClient(emu.credential, {
    endpoint: server.defenderEndpoint,
    rateLimit: false,
    retryOptions,
  });
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: server.sentinelEndpoint,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName: server.workspaceName,
    rateLimit: false,
    retryOptions,
  });
  const alertSink = new LogsIngestionAlertSink(emu.credential, {
    endpoint: server.url,
    ruleId: "dcr-00000000000000000000000000000000",
    streamName: DEFAULT_ALERT_STREAM_NAME,
    tenantId: server.tenantId,
    retryOptions,
  });
  const engine = new SyncEngine({
    defender,
    sentinel,
    alertSink,
    tenantId: server.tenantId,
    reconcileEveryNCycles,
  });
  const alertVersions = () => emu.defender.listIncidents().reduce((n, i) => n + i.alerts.length, 0);
  return { emu, engine, alertVersions };
}

describe("SyncEngine with an alertSink", () => {
  it("uploads every alert of the incidents it syncs once, and nothing again on a quiet cycle", async () => {
    const { emu, engine, alertVersions } = await setup();
    const first = await engine.runOnce();
    const total = alertVersions();
    expect(total).toBeGreaterThan(0);
    expect(first.counts.alertsUploaded).toBe(total);
    expect(emu.logs.count(DEFAULT_ALERT_STREAM_NAME)).toBe(total);
    const second = await engine.runOnce();
    expect(second.counts.alertsUploaded).toBe(0);
    expect(emu.logs.count(DEFAULT_ALERT_STREAM_NAME)).toBe(total);
    const rowIds = emu.logs.rows(DEFAULT_ALERT_STREAM_NAME).map((r) => (r as { RowId: string }).RowId);
    expect(new Set(rowIds).size).toBe(rowIds.length);
  });

  it("a merge uploads the moved alerts' new versions only", async () => {
    const { emu, engine } = await setup();
    await engine.runOnce();
    const before = emu.logs.count(DEFAULT_ALERT_STREAM_NAME);
    const open = emu.defender.listIncidents().filter((i) => i.status === "active" && i.alerts.length > 0);
    const [source, target] = open;
    if (!source || !target) throw new Error("seed has too few open incidents");
    const moved = source.alerts.length;
    emu.defender.mergeIncidents(source.id, target.id);
    const r = await engine.runOnce();
    expect(r.counts.alertsUploaded).toBe(moved);
    expect(emu.logs.count(DEFAULT_ALERT_STREAM_NAME)).toBe(before + moved);
  });

  it("failed uploads are retried later, never dropped and never duplicated", async () => {
    const { emu, engine, alertVersions } = await setup(2);
    emu.faults.script({ service: "logsIngestion", times: 50, fault: 503 });
    const first = await engine.runOnce();
    expect(first.counts.alertUploadsFailed).toBeGreaterThan(0);
    expect(emu.logs.count(DEFAULT_ALERT_STREAM_NAME)).toBeLessThan(alertVersions());
    emu.faults.clear();
    // Cycle 2 reconciles (reconcileEveryNCycles: 2): every pair is looked at and pending alerts are sent.
    await engine.runOnce();
    expect(emu.logs.count(DEFAULT_ALERT_STREAM_NAME)).toBe(alertVersions());
    const rowIds = emu.logs.rows(DEFAULT_ALERT_STREAM_NAME).map((r) => (r as { RowId: string }).RowId);
    expect(new Set(rowIds).size).toBe(rowIds.length);
  });
});
