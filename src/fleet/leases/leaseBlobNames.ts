import { InvalidArgumentError } from "../../core/errors";

/**
 * Layout of the lease container. One empty blob per lane under `lanes/` carries the lane's lease and, in its
 * metadata, the instance that acquired it (`owner`). One empty blob per instance under `instances/` is its
 * heartbeat (`instance`, `lanes` = how many it holds, `beat` = its clock), rewritten every renewal interval;
 * its Last-Modified (the service's clock) tells others it is alive. Ids are URI-encoded: blob names and
 * metadata values must be ASCII (https://learn.microsoft.com/rest/api/storageservices/setting-and-retrieving-properties-and-metadata-for-blob-resources).
 */
export const LANE_BLOB_PREFIX = "lanes/";
export const INSTANCE_BLOB_PREFIX = "instances/";

/** Metadata names (case-insensitive on the service; listed back in lower case). */
export const OWNER_METADATA = "owner";
export const INSTANCE_METADATA = "instance";
export const LANES_METADATA = "lanes";
export const BEAT_METADATA = "beat";

/** Blob names are at most 1,024 characters; this leaves room for the prefix after encoding. */
const MAX_ENCODED_ID = 1000;

export function laneBlobName(laneId: string): string {
  return LANE_BLOB_PREFIX + encodeId("lane id", laneId);
}

export function instanceBlobName(instanceId: string): string {
  return INSTANCE_BLOB_PREFIX + encodeId("instance id", instanceId);
}

/** The id under `prefix`, or undefined for a blob that is not one of ours (or not decodable). */
export function idOfBlob(prefix: string, blobName: string): string | undefined {
  if (!blobName.startsWith(prefix)) return undefined;
  return decodeId(blobName.slice(prefix.length));
}

export function encodeId(what: string, id: string): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new InvalidArgumentError(what, "must be a non-empty string");
  }
  let encoded: string;
  try {
    encoded = encodeURIComponent(id);
  } catch {
    // URIError: a lone surrogate cannot be written as a blob name.
    throw new InvalidArgumentError(what, `${JSON.stringify(id)} is not well-formed Unicode`);
  }
  if (encoded.length > MAX_ENCODED_ID) {
    throw new InvalidArgumentError(
      what,
      `is ${encoded.length} characters once encoded (at most ${MAX_ENCODED_ID})`,
    );
  }
  return encoded;
}

export function decodeId(encoded: string | undefined): string | undefined {
  if (!encoded) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
