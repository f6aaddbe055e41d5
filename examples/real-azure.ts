/**
 * Sync a real Defender XDR tenant with a real Sentinel workspace. Dry-run by default: it reads both sides
 * and prints its plan (field by field, per pair) and the writes it would make. Set SYNC_APPLY=1 to write.
 *
 * Environment:
 *   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or any DefaultAzureCredential source)
 *   SENTINEL_SUBSCRIPTION_ID, SENTINEL_RESOURCE_GROUP, SENTINEL_WORKSPACE
 *   SYNC_STATE_DIR (default ./sync-state), SYNC_APPLY=1 to write
 *
 * Permissions: Graph application permission SecurityIncident.ReadWrite.All (admin consent), and the
 * Microsoft Sentinel Responder role on the workspace.
 */
import { DefaultAzureCredential } from "@azure/identity";
import {
  DefenderClient,
  FileStateStore,
  formatSyncPlan,
  SentinelClient,
  SyncEngine,
} from "defender-sentinel-sync";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}`);
  return value;
}

const credential = new DefaultAzureCredential();
const defender = new DefenderClient(credential);
const sentinel = new SentinelClient(credential, {
  subscriptionId: required("SENTINEL_SUBSCRIPTION_ID"),
  resourceGroupName: required("SENTINEL_RESOURCE_GROUP"),
  workspaceName: required("SENTINEL_WORKSPACE"),
});

// Lists the newest incidents first, to check credentials and permissions before syncing anything.
let shown = 0;
for await (const incident of defender.listIncidents({
  updatedSince: new Date(Date.now() - 7 * 86_400_000),
})) {
  console.log(`Defender #${incident.id} [${incident.status}/${incident.severity}] ${incident.displayName}`);
  if (++shown === 5) break;
}

const dryRun = process.env.SYNC_APPLY !== "1";
const engine = new SyncEngine({
  defender,
  sentinel,
  stateStore: new FileStateStore(process.env.SYNC_STATE_DIR ?? "./sync-state"),
  dryRun,
  backfillSince: new Date(Date.now() - 30 * 86_400_000),
  tenantId: process.env.AZURE_TENANT_ID,
});
engine.on("incident.failed", (e) => console.warn(`failed #${e.defenderId}: ${e.reason}`));
engine.on("throttled", (t) =>
  console.warn(`throttled by ${t.service} (${t.source}), waiting ${t.waitInMs} ms`),
);

const report = await engine.runOnce();
console.log(
  `${dryRun ? "Dry run" : "Sync"}: ${report.counts.seen} incidents examined, ` +
    `${report.plannedWrites.length || report.writes.sentinel + report.writes.defender} writes`,
);
// The plan per pair: fields from → to on each side, conflicts and their winner, then every request.
if (dryRun) console.log(formatSyncPlan(report));
await engine.stateStore.close?.();
