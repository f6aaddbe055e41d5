import type { BlobItem, ContainerClient } from "@azure/storage-blob";
import {
  decodeId,
  INSTANCE_BLOB_PREFIX,
  idOfBlob,
  LANE_BLOB_PREFIX,
  LANES_METADATA,
  OWNER_METADATA,
} from "./leaseBlobNames";

/** One lane blob as listed. */
export interface LaneBlobState {
  /** The service's lease state: available, leased, expired, breaking or broken. */
  leaseState: string;
  /** The instance that acquired the lease last (metadata; stays after the lease ends). */
  owner: string | undefined;
}

/** One heartbeat blob as listed. */
export interface InstanceBeat {
  id: string;
  /** Service time of the last heartbeat. */
  lastBeatAt: number;
  /** Lanes it said it held. */
  lanes: number | undefined;
  /** Blob name, to prune it. */
  blobName: string;
}

export interface LeaseSnapshot {
  lanes: Map<string, LaneBlobState>;
  instances: InstanceBeat[];
  /** The service's clock when it answered (Date header), to age heartbeats without trusting local clocks. */
  serverNow: number;
}

/** Lists the whole container in one pass (one request per 5,000 blobs): every lane's lease and every heartbeat. */
export async function readLeaseSnapshot(
  container: ContainerClient,
  abortSignal: AbortSignal,
  localNow: () => number = Date.now,
): Promise<LeaseSnapshot> {
  const snapshot: LeaseSnapshot = { lanes: new Map(), instances: [], serverNow: Number.NaN };
  const pages = container.listBlobsFlat({ includeMetadata: true, abortSignal }).byPage({ maxPageSize: 5000 });
  for await (const page of pages) {
    if (Number.isNaN(snapshot.serverNow)) snapshot.serverNow = page.date?.getTime() ?? localNow();
    for (const item of page.segment.blobItems) addItem(snapshot, item);
  }
  if (Number.isNaN(snapshot.serverNow)) snapshot.serverNow = localNow();
  return snapshot;
}

function addItem(snapshot: LeaseSnapshot, item: BlobItem): void {
  const metadata = item.metadata ?? {};
  const lane = idOfBlob(LANE_BLOB_PREFIX, item.name);
  if (lane !== undefined) {
    snapshot.lanes.set(lane, {
      leaseState: item.properties.leaseState ?? "available",
      owner: decodeId(metadata[OWNER_METADATA]),
    });
    return;
  }
  const instance = idOfBlob(INSTANCE_BLOB_PREFIX, item.name);
  if (instance === undefined) return;
  const lanes = Number(metadata[LANES_METADATA]);
  snapshot.instances.push({
    id: instance,
    lastBeatAt: item.properties.lastModified.getTime(),
    lanes: Number.isInteger(lanes) ? lanes : undefined,
    blobName: item.name,
  });
}
