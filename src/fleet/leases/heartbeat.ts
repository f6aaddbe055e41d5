import type { ContainerClient } from "@azure/storage-blob";
import { BEAT_METADATA, INSTANCE_METADATA, instanceBlobName, LANES_METADATA } from "./leaseBlobNames";
import type { InstanceBeat } from "./leaseSnapshot";

/** Rewrites this instance's heartbeat blob (an empty blob; the service stamps Last-Modified). */
export async function writeHeartbeat(
  container: ContainerClient,
  instanceId: string,
  ownedLanes: number,
  abortSignal: AbortSignal,
): Promise<void> {
  await container.getBlockBlobClient(instanceBlobName(instanceId)).upload("", 0, {
    abortSignal,
    metadata: {
      [INSTANCE_METADATA]: encodeURIComponent(instanceId),
      [LANES_METADATA]: String(ownedLanes),
      [BEAT_METADATA]: new Date().toISOString(),
    },
  });
}

export async function deleteHeartbeat(
  container: ContainerClient,
  instanceId: string,
  abortSignal: AbortSignal,
): Promise<void> {
  await container.getBlockBlobClient(instanceBlobName(instanceId)).deleteIfExists({ abortSignal });
}

/** Live instances: a heartbeat younger than `expiryInMs` by the service's own clock. */
export function liveInstancesOf(
  beats: readonly InstanceBeat[],
  serverNow: number,
  expiryInMs: number,
): string[] {
  return beats.filter((beat) => serverNow - beat.lastBeatAt <= expiryInMs).map((beat) => beat.id);
}

/**
 * Deletes heartbeats of instances gone for a long time (crashed without closing), a few per round, so the
 * container does not fill up with the names of containers restarted long ago. Failures are ignored.
 */
export async function pruneHeartbeats(
  container: ContainerClient,
  beats: readonly InstanceBeat[],
  serverNow: number,
  olderThanInMs: number,
  abortSignal: AbortSignal,
): Promise<number> {
  const stale = beats.filter((beat) => serverNow - beat.lastBeatAt > olderThanInMs).slice(0, 5);
  let pruned = 0;
  for (const beat of stale) {
    try {
      await container.getBlockBlobClient(beat.blobName).deleteIfExists({ abortSignal });
      pruned++;
    } catch {
      // Best effort: the next round tries again.
    }
  }
  return pruned;
}
