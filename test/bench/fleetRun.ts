/**
 * The fleet side of the fleet benchmark, in a process of its own so its RSS is the fleet's alone. argv[2]: the
 * coordinates fleetEmulatorServer printed; argv[3]: lane counts of the phases (e.g. "25,50,100"); argv[4]: maxConcurrentLanes. Each phase adds
 * lanes up to its count, runs a round (the new lanes backfill, the others are quiet), then a quiet round. Every
 * lane has a FileStateStore of its own. Prints one JSON line per phase.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
// The sources through tsx (the fleet may be newer than a built dist/), module by module.
import { DefenderClient } from "../../src/defender/defenderClient";
import { SyncFleet } from "../../src/fleet/syncFleet";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { FileStateStore } from "../../src/sync/fileStateStore";
import { createEmulatorCredential } from "../../src/testing/auth";

interface Coords {
  defenderEndpoint: string;
  sentinelEndpoint: string;
  subscriptionId: string;
  resourceGroupName: string;
  lanes: { tenantId: string; workspaceName: string }[];
}

const coords = JSON.parse(process.argv[2]!) as Coords;
const phases = (process.argv[3] ?? "25,50,100").split(",").map(Number);
const maxConcurrentLanes = Number(process.argv[4] ?? "8");
const dir = await mkdtemp(join(tmpdir(), "dss-fleet-"));
const mssp = createEmulatorCredential("mssp");
const fleet = new SyncFleet({
  maxConcurrentLanes,
  stateStore: (laneId) => new FileStateStore(join(dir, laneId)),
  // A short overlap so that the quiet round re-reads nothing: it measures an idle lane's cycle.
  laneDefaults: { overlapInMs: 1_000 },
});
const gc = (globalThis as { gc?: () => void }).gc;

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const baseline = process.memoryUsage().rss;

function addLanes(upTo: number): void {
  for (let i = fleet.laneIds.length; i < upTo; i++) {
    const lane = coords.lanes[i]!;
    const defender = new DefenderClient(createEmulatorCredential(lane.tenantId), {
      endpoint: coords.defenderEndpoint,
      rateLimit: false,
    });
    const sentinel = new SentinelClient(mssp, {
      endpoint: coords.sentinelEndpoint,
      subscriptionId: coords.subscriptionId,
      resourceGroupName: coords.resourceGroupName,
      workspaceName: lane.workspaceName,
      rateLimit: false,
    });
    fleet.addLane({ id: `lane-${i}`, defender, sentinel, tenantId: lane.tenantId });
  }
}

for (const lanes of phases) {
  addLanes(lanes);
  const started = performance.now();
  const backfill = await fleet.runOnce();
  const backfillSeconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  await new Promise((r) => setTimeout(r, 1_500)); // past the overlap window
  await fleet.runOnce(); // warms up the code paths of an idle cycle
  const cpu = process.cpuUsage();
  const quietStart = performance.now();
  const quiet = await fleet.runOnce();
  const quietMs = performance.now() - quietStart;
  const used = process.cpuUsage(cpu);
  gc?.();
  process.stdout.write(
    `${JSON.stringify({
      lanes,
      created: backfill.totals.counts.created,
      backfillFailed: backfill.totals.failed,
      backfillSeconds,
      peakRss: peak,
      rssAfter: process.memoryUsage().rss,
      liveHeapAfterGc: process.memoryUsage().heapUsed,
      baseline,
      quietCompleted: quiet.totals.completed,
      quietWrites: quiet.totals.writes.defender + quiet.totals.writes.sentinel,
      quietCalls: quiet.totals.apiCalls.defender + quiet.totals.apiCalls.sentinel,
      quietWallMs: quietMs,
      quietCpuMs: (used.user + used.system) / 1000,
    })}\n`,
  );
}
clearInterval(sampler);
await fleet.close();
await rm(dir, { recursive: true, force: true });
