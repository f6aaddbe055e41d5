/**
 * The fleet of a Function app, from its application settings:
 * - `SYNC_STORAGE_ACCOUNT`: the storage account holding ledgers (table `defendersync`) and leases
 *   (container `defendersync-leases`);
 * - `SYNC_LANES`: JSON `[{ "id": "contoso", "tenantId": "…", "clientId": "…", "subscriptionId": "…",
 *   "resourceGroupName": "…", "workspaceName": "…" }]` — one lane per customer tenant (classic target here; see
 *   the README for the unified target);
 * - the customer app's secret in `SYNC_SECRET_<ID>` (a Key Vault reference in production).
 */
import { ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";
import {
  BlobLeaseManager,
  DefenderClient,
  InvalidArgumentError,
  SentinelClient,
  SyncFleet,
  TableStateStore,
} from "defender-sentinel-sync";

interface LaneSetting {
  id: string;
  tenantId: string;
  clientId: string;
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

function readLanes(raw: string | undefined): LaneSetting[] {
  const lanes = JSON.parse(raw ?? "[]") as unknown;
  if (!Array.isArray(lanes)) throw new InvalidArgumentError("SYNC_LANES", "must be a JSON array of lanes");
  return lanes as LaneSetting[];
}

export async function fleetFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<SyncFleet> {
  const account = env.SYNC_STORAGE_ACCOUNT;
  if (!account) throw new InvalidArgumentError("SYNC_STORAGE_ACCOUNT", "is not set");
  const msspCredential = new DefaultAzureCredential(); // the Function app's managed identity
  const ledger = new TableStateStore({
    endpoint: `https://${account}.table.core.windows.net`,
    credential: msspCredential,
    tableName: "defendersync",
  });
  const fleet = new SyncFleet({
    stateStore: ledger,
    ownership: new BlobLeaseManager({
      endpoint: `https://${account}.blob.core.windows.net`,
      credential: msspCredential,
      containerName: "defendersync-leases",
    }),
  });
  for (const lane of readLanes(env.SYNC_LANES)) {
    const secret = env[`SYNC_SECRET_${lane.id.toUpperCase()}`] ?? "";
    const customer = new ClientSecretCredential(lane.tenantId, lane.clientId, secret);
    fleet.addLane({
      id: lane.id,
      tenantId: lane.tenantId,
      defender: new DefenderClient(customer, {
        rateLimit: fleet.budgets.graph(lane.tenantId, lane.clientId),
      }),
      sentinel: new SentinelClient(msspCredential, {
        subscriptionId: lane.subscriptionId,
        resourceGroupName: lane.resourceGroupName,
        workspaceName: lane.workspaceName,
      }),
    });
  }
  return fleet;
}
