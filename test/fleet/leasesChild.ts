/**
 * A fleet member in its own process, for the kill test: `tsx leasesChild.ts <connectionString> <container>
 * <instanceId> <lane,lane,…> <leaseDurationInMs>`. Prints `{"ready":true}` once announced, waits for a line on
 * stdin, then runs an ownership round every 300 ms and prints the lanes it owns after each.
 */
import { createInterface } from "node:readline";
import { BlobLeaseManager } from "../../src/fleet/leases/blobLeaseManager";

const [connectionString, containerName, instanceId, laneList, duration] = process.argv.slice(2);
const lanes = (laneList ?? "").split(",");
const manager = new BlobLeaseManager({
  connectionString,
  containerName,
  instanceId,
  leaseDurationInMs: Number(duration),
});
await manager.open();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
for (;;) {
  const round = await manager.claimLanes(lanes);
  process.stdout.write(`${JSON.stringify({ owned: round.owned })}\n`);
  await new Promise((r) => setTimeout(r, 300));
}
