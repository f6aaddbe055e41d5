/**
 * One fleet process of the chaos test: `node --import tsx chaosChild.ts '<json config>'`. It shares its lanes with
 * the other processes through Blob leases (Azurite), keeps each lane's ledger in its Table partition, and syncs
 * emulated tenants reached over HTTP. It reports on stdout, one JSON object a line:
 * `{ev:"ready"}`, `{ev:"start",lane}` (a cycle read its watermarks), `{ev:"done",lane}` (cycle completed),
 * `{ev:"owned",lanes}` (every 500 ms), `{ev:"write",lane,fenced}` (a Graph/ARM write left this process; `fenced`:
 * the lane's ownership signal had already aborted — a fencing violation) and `{ev:"partitioned"}`.
 * Storage goes through local TCP proxies so that the line `partition blob` (or `partition all`) on stdin cuts it
 * off (every lease call, or every storage call, then fails as in a network partition) while Graph and ARM stay
 * reachable.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  BlobLeaseManager,
  DefenderClient,
  SentinelClient,
  type StateStore,
  SyncFleet,
  TableStateStore,
} from "../../src/index";
import { createEmulatorCredential } from "../../src/testing/index";

export interface ChaosChildConfig {
  instanceId: string;
  blobEndpoint: string;
  tableEndpoint: string;
  accountName: string;
  accountKey: string;
  containerName: string;
  tableName: string;
  defenderEndpoint: string;
  sentinelEndpoint: string;
  subscriptionId: string;
  resourceGroupName: string;
  lanes: { id: string; tenantId: string; workspaceName: string }[];
  leaseDurationInMs: number;
  pollIntervalInMs: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as ChaosChildConfig;
const say = (message: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...message, t: Date.now() })}\n`);

interface StorageProxy {
  endpoint: string;
  server: Server;
  sockets: Set<Socket>;
  partitioned: boolean;
}

/** A TCP proxy to `endpoint`'s port, with the endpoint rewritten to it. */
async function proxy(endpoint: string): Promise<StorageProxy> {
  const url = new URL(endpoint);
  const sockets = new Set<Socket>();
  const state = { sockets, partitioned: false } as StorageProxy;
  const server = createServer((inbound) => {
    if (state.partitioned) return inbound.destroy();
    const outbound = connect(Number(url.port), url.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, { endpoint: `http://127.0.0.1:${port}${url.pathname}`, server });
}

const blob = await proxy(config.blobEndpoint);
const table = await proxy(config.tableEndpoint);
const connectionString =
  `DefaultEndpointsProtocol=http;AccountName=${config.accountName};AccountKey=${config.accountKey};` +
  `BlobEndpoint=${blob.endpoint};TableEndpoint=${table.endpoint};`;

const manager = new BlobLeaseManager({
  connectionString,
  containerName: config.containerName,
  instanceId: config.instanceId,
  leaseDurationInMs: config.leaseDurationInMs,
  renewIntervalInMs: 2_000,
});
const ledger = new TableStateStore({
  connectionString,
  tableName: config.tableName,
  clientOptions: { allowInsecureConnection: true, retryOptions: { maxRetries: 2, retryDelayInMs: 100 } },
});

/** The lane's ledger partition; its first read of a cycle (the watermarks) is reported as the cycle's start. */
function laneLedger(laneId: string): StateStore {
  const store = ledger.forLane(laneId);
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      if (key === "getWatermarks")
        return () => {
          say({ ev: "start", lane: laneId });
          return target.getWatermarks();
        };
      return value.bind(target);
    },
  });
}

/** Reports every write request this process sends for `laneId`, and whether the lane's fence was down. */
function writeReporter(laneId: string): PipelinePolicy {
  return {
    name: "chaosWriteReporter",
    sendRequest(request, next) {
      if (request.method !== "GET") {
        say({ ev: "write", lane: laneId, fenced: manager.signalFor(laneId).aborted });
      }
      return next(request);
    },
  };
}

const fleet = new SyncFleet({
  stateStore: laneLedger,
  ownership: manager,
  claimIntervalInMs: 1_000,
  maxConcurrentLanes: 8,
  laneDefaults: { pollIntervalInMs: config.pollIntervalInMs, overlapInMs: 5_000 },
});
const retryOptions = { retryDelayInMs: 50, maxRetryDelayInMs: 500, maxRetries: 3 };
for (const lane of config.lanes) {
  const additionalPolicies = [{ policy: writeReporter(lane.id), position: "perRetry" as const }];
  const defender = new DefenderClient(createEmulatorCredential(lane.tenantId), {
    endpoint: config.defenderEndpoint,
    retryOptions,
    additionalPolicies,
  });
  const sentinel = new SentinelClient(createEmulatorCredential(config.instanceId), {
    endpoint: config.sentinelEndpoint,
    subscriptionId: config.subscriptionId,
    resourceGroupName: config.resourceGroupName,
    workspaceName: lane.workspaceName,
    retryOptions,
    additionalPolicies,
  });
  fleet.addLane({ id: lane.id, defender, sentinel, tenantId: lane.tenantId });
}
fleet.on("cycle.completed", ({ laneId }) => say({ ev: "done", lane: laneId }));
fleet.on("error", () => undefined); // claims failing during a partition: reported by the lanes' absence

// `partition blob` cuts the lease storage only (the ledger stays reachable, so only the fence can stop the
// lanes' writes); `partition all` cuts the ledger too.
createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, scope] = line.trim().split(/\s+/);
  if (command !== "partition") return;
  for (const cut of scope === "all" ? [blob, table] : [blob]) {
    cut.partitioned = true;
    for (const s of cut.sockets) s.destroy();
  }
  say({ ev: "partitioned", scope: scope ?? "blob" });
});

await manager.open();
setInterval(() => say({ ev: "owned", lanes: manager.ownedLanes() }), 500);
say({ ev: "ready" });
fleet.start();
