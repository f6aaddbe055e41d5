import { createHash } from "node:crypto";

/** Namespace of every UUID this package derives (a fixed, random v4). */
export const SYNC_NAMESPACE = "6f1c6d3e-8a52-4a3b-9d7e-2b9f0c4e7a11";

/** RFC 9562 UUID version 5 (SHA-1, name-based): the same inputs always give the same GUID. */
export function uuidV5(name: string, namespace: string = SYNC_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The Sentinel incident name for a Defender incident. Deterministic, so a crash between the PUT and the
 * ledger write finds the same incident on restart instead of creating a second one.
 */
export function sentinelNameFor(tenantId: string, defenderIncidentId: string): string {
  return uuidV5(`incident:${tenantId.toLowerCase()}:${defenderIncidentId}`);
}

/** The Sentinel comment id for a Defender comment (by content hash), so re-syncing it is a no-op PUT. */
export function sentinelCommentIdFor(defenderIncidentId: string, commentHash: string): string {
  return uuidV5(`comment:${defenderIncidentId}:${commentHash}`);
}

/** The Sentinel comment id of the note on a merged incident's copy, so it is written (and recognized) once. */
export function redirectCommentIdFor(defenderIncidentId: string, targetDefenderIncidentId: string): string {
  return uuidV5(`redirect:${defenderIncidentId}:${targetDefenderIncidentId}`);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
