/**
 * Streams a tenant's Defender XDR alerts into a Log Analytics table through the Azure Monitor Logs Ingestion API
 * (one row per alert version; table and DCR from examples/arm/defender-alerts-table.json).
 *
 *   npx tsx examples/alerts-to-log-analytics.ts            # on the built-in emulator, no Azure account needed
 *   npx tsx examples/alerts-to-log-analytics.ts --azure    # against Azure, configured by environment variables:
 *
 *   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET   app with SecurityAlert.Read.All (Graph) and the
 *                                                          "Monitoring Metrics Publisher" role on the DCR
 *   LOGS_INGESTION_ENDPOINT                                output logsIngestionEndpoint of the ARM template
 *   DCR_IMMUTABLE_ID                                       output dataCollectionRuleImmutableId
 *   ALERTS_STATE_DIR                                       checkpoint directory (default ./alerts-state)
 *
 * Flags: --incidents N (emulator, default 300), --seed S (default 7), --faults (emulator: 429/5xx on uploads).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type AlertSyncReport,
  DEFAULT_ALERT_STREAM_NAME,
  DefenderClient,
  FileStateStore,
  LogsIngestionAlertSink,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";

const { values } = parseArgs({
  options: {
    azure: { type: "boolean", default: false },
    incidents: { type: "string", default: "300" },
    seed: { type: "string", default: "7" },
    faults: { type: "boolean", default: false },
  },
});
const out = (line = "") => process.stdout.write(`${line}\n`);
const describe = (r: AlertSyncReport) =>
  `${r.uploaded} rows uploaded, ${r.skipped} already sent, ${r.failed} failed (retry list: ${r.retryPending}), ` +
  `${r.listed} alerts read in ${r.pages} page(s), ${(r.durationInMs / 1000).toFixed(1)} s`;

if (values.azure) {
  const { ClientSecretCredential } = await import("@azure/identity");
  const env = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`Set ${name}`);
    return v;
  };
  const credential = new ClientSecretCredential(
    env("AZURE_TENANT_ID"),
    env("AZURE_CLIENT_ID"),
    env("AZURE_CLIENT_SECRET"),
  );
  const defender = new DefenderClient(credential);
  const sink = new LogsIngestionAlertSink(credential, {
    endpoint: env("LOGS_INGESTION_ENDPOINT"),
    ruleId: env("DCR_IMMUTABLE_ID"),
    streamName: DEFAULT_ALERT_STREAM_NAME,
    tenantId: env("AZURE_TENANT_ID"),
  });
  sink.on("batch.failed", (e) =>
    out(`  ✗ batch of ${e.keys.length} alert(s) failed (${e.status ?? "no answer"}); retried next run`),
  );
  const store = new FileStateStore(process.env.ALERTS_STATE_DIR ?? "./alerts-state");
  try {
    const report = await sink.syncFromDefender(defender, store);
    out(`Synced: ${describe(report)}. Watermark ${report.watermark ?? "(none)"}`);
    out("Query: DefenderAlerts_CL | summarize arg_max(TimeGenerated, *) by RowId");
  } finally {
    await store.close();
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------
// Emulator demo

const incidents = Number(values.incidents);
const seed = Number(values.seed);
const emu = createEmulator({ seed, incidents, timeScale: 100 });
const server = await emu.listen();
const alertCount = emu.defender.listIncidents().reduce((n, i) => n + i.alerts.length, 0);
out(
  `Emulator on ${server.url}: Graph ${server.defenderEndpoint}, Logs Ingestion ${server.url}/dataCollectionRules/…`,
);
out(`Seeded tenant ${server.tenantId}: ${incidents} incidents with ${alertCount} alerts (seed ${seed})`);
if (values.faults) {
  emu.faults.configure({
    seed,
    services: {
      logsIngestion: {
        probability: 0.3,
        kinds: [500, 503, { kind: "status", status: 429, retryAfterSeconds: 2 }],
      },
    },
  });
  out("Fault injection on: 30% of upload requests fail with 429 or 5xx (the client retries them)");
}

const retryOptions = { retryDelayInMs: 20, maxRetryDelayInMs: 200, maxRetries: 4 };
const defender = new DefenderClient(emu.credential, {
  endpoint: server.defenderEndpoint,
  retryOptions,
  rateLimit: false,
});
const newSink = () =>
  new LogsIngestionAlertSink(emu.credential, {
    endpoint: server.url, // the emulator's loopback DCE (plain http is allowed for 127.0.0.1 only)
    ruleId: "dcr-00000000000000000000000000000000",
    streamName: DEFAULT_ALERT_STREAM_NAME,
    retryOptions,
  });
const stateDir = await mkdtemp(join(tmpdir(), "alerts-state-"));

try {
  let store = new FileStateStore(stateDir);
  let sink = newSink();
  sink.on("batch.failed", (e) =>
    out(`  ✗ batch of ${e.keys.length} alert(s) failed (${e.status ?? "no answer"}); kept for retry`),
  );

  const backfill = await sink.syncFromDefender(defender, store);
  out(`Backfill: ${describe(backfill)}`);
  out(
    `Log Analytics (emulated) now holds ${emu.logs.count(DEFAULT_ALERT_STREAM_NAME)} rows in ${DEFAULT_ALERT_STREAM_NAME}`,
  );

  const quiet = await sink.syncFromDefender(defender, store);
  out(
    `Second run, nothing changed: ${quiet.uploaded} rows uploaded (${quiet.skipped} overlap re-reads recognised)`,
  );

  const incident = emu.defender.createIncident();
  out(`Defender raises incident ${incident.id} with ${incident.alerts.length} new alert(s)…`);
  await store.close();
  // A restarted process: new sink, checkpoint re-read from disk.
  store = new FileStateStore(stateDir);
  sink = newSink();
  const next = await sink.syncFromDefender(defender, store);
  out(`After a restart: ${describe(next)}`);
  await store.close();

  const rows = emu.logs.rows(DEFAULT_ALERT_STREAM_NAME);
  const distinct = new Set(rows.map((r) => r.RowId)).size;
  const wire = emu.logs.stats();
  out();
  out(
    `Ingested ${rows.length} rows (${distinct} distinct RowIds) for ${alertCount + incident.alerts.length} alerts`,
  );
  const faulted = emu.stats().logsIngestion?.faults ?? 0;
  out(
    `Wire: ${wire.accepted} accepted requests, ${(wire.wireBytes / 1024).toFixed(0)} KiB gzip for ` +
      `${(wire.jsonBytes / 1024).toFixed(0)} KiB of JSON` +
      (faulted > 0 ? `; ${faulted} request(s) hit an injected fault and were retried` : ""),
  );
  const sample = rows.at(-1)!;
  out(
    `Newest row: [${sample.Severity}] ${sample.AlertTitle} · ${sample.ServiceSource} · hosts ${JSON.stringify(sample.Hosts)}, accounts ${JSON.stringify(sample.Accounts)}`,
  );
} finally {
  await rm(stateDir, { recursive: true, force: true });
  await emu.close();
}
