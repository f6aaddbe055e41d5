import { compareTimestamps } from "../core/timestamps";
import type { MergeConflict, Side } from "./threeWayMerge";

/**
 * What a conflict policy decides on: a merge group both sides changed to different values since the last sync, the
 * pair's Defender ID and Sentinel name, and each side's last-modified time.
 */
export interface ConflictContext extends MergeConflict {
  defenderId: string;
  sentinelName: string;
  /** Defender lastUpdateDateTime. */
  defenderUpdatedAt: string | undefined;
  /** Sentinel lastModifiedTimeUtc. */
  sentinelUpdatedAt: string | undefined;
}

/**
 * How a field changed on both sides is settled. "latest-wins" (default) compares the services' own
 * timestamps (ties go to Defender, the system of record for XDR incidents).
 */
export type ConflictPolicy =
  | "latest-wins"
  | "defender-wins"
  | "sentinel-wins"
  | ((conflict: ConflictContext) => Side);

export function resolveConflict(policy: ConflictPolicy, conflict: ConflictContext): Side {
  if (typeof policy === "function") {
    const side = policy(conflict);
    return side === "sentinel" ? "sentinel" : "defender";
  }
  if (policy === "defender-wins") return "defender";
  if (policy === "sentinel-wins") return "sentinel";
  const d = conflict.defenderUpdatedAt;
  const s = conflict.sentinelUpdatedAt;
  if (!d || !s) return d ? "defender" : s ? "sentinel" : "defender";
  return compareTimestamps(s, d) > 0 ? "sentinel" : "defender";
}
