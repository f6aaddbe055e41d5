/**
 * The long-running host adapter: run N replicas of this process (e.g. a Kubernetes Deployment); they share the
 * lanes through Blob leases (each lane runs in one replica at a time, a dead replica's lanes are taken over
 * within the lease duration) and keep the ledgers in Azure Table Storage. SIGTERM closes cleanly: the cycle in
 * flight finishes and checkpoints, the leases are released so another replica takes the lanes at once.
 *
 *   SYNC_STORAGE_ACCOUNT=… SYNC_LANES='[…]' SYNC_SECRET_CONTOSO=… npx tsx examples/fleet-replicas.ts
 */
import { fleetFromEnvironment } from "./azure-functions/src/fleetFromEnvironment";

async function main(): Promise<void> {
  const fleet = await fleetFromEnvironment();
  fleet.on("lane.unhealthy", (e) =>
    console.warn(`lane ${e.laneId} unhealthy (${e.reason}) until ${e.nextAttemptAt}`),
  );
  fleet.on("lane.recovered", (e) => console.info(`lane ${e.laneId} recovered`));
  const run = fleet.start();
  const stop = async () => {
    await run.close();
    await fleet.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
