import type { HttpMethods } from "@azure/core-rest-pipeline";
import type { ClassicPairPlan } from "./classic/pairPlan";
import type { Watermarks } from "./stateStore";

/** A write the engine made, or would make in dry-run mode. */
export interface PlannedWrite {
  service: "defender" | "sentinel";
  method: HttpMethods;
  /** Defender incident id or Sentinel incident name (and comment id). */
  target: string;
  operation: "createIncident" | "updateIncident" | "createComment" | "addComment";
  body: unknown;
}

/**
 * Counters of one sync cycle: incidents seen, created, linked, updated each way, closed, reopened, comments copied,
 * conflicts, failures, and alert uploads.
 */
export interface SyncCounts {
  /** Incidents read from either side this cycle (after dedupe). */
  seen: number;
  created: number;
  linked: number;
  updatedInSentinel: number;
  updatedInDefender: number;
  unchanged: number;
  closed: number;
  reopened: number;
  redirected: number;
  commentsToSentinel: number;
  commentsToDefender: number;
  conflicts: number;
  failed: number;
  quarantined: number;
  /** Writes made by the reconciliation pass (drift it fixed). */
  reconciled: number;
  /** Alert rows accepted by the alert sink, and alerts whose upload failed (retried later). */
  alertsUploaded: number;
  alertUploadsFailed: number;
}

/** What one cycle did. */
export interface SyncReport {
  cycle: number;
  startedAt: string;
  finishedAt: string;
  durationInMs: number;
  dryRun: boolean;
  reconciliation: boolean;
  counts: SyncCounts;
  writes: { defender: number; sentinel: number };
  /** HTTP requests per service (retries included). */
  apiCalls: { defender: number; sentinel: number };
  /** 429 responses per service. */
  throttledResponses: { defender: number; sentinel: number };
  watermarks: { defender: string | undefined; sentinel: string | undefined };
  /** In dry-run mode: every write the engine would have made. Otherwise empty. */
  plannedWrites: PlannedWrite[];
  /** In dry-run mode (classic target): each pair's plan — merged values, conflicts, writes. See `formatSyncPlan`. */
  plannedPairs: PlannedPair[];
  failures: { defenderId?: string; sentinelName?: string; reason: string; transient: boolean }[];
  warnings: string[];
  /** Unified target: source incidents whose target incident is not linked yet, at the end of the cycle. */
  pendingPairs?: number;
}

/** The plan made for one pair in a dry-run cycle. */
export interface PlannedPair {
  defenderId: string;
  sentinelName: string;
  plan: ClassicPairPlan;
}

export function emptyCounts(): SyncCounts {
  return {
    seen: 0,
    created: 0,
    linked: 0,
    updatedInSentinel: 0,
    updatedInDefender: 0,
    unchanged: 0,
    closed: 0,
    reopened: 0,
    redirected: 0,
    commentsToSentinel: 0,
    commentsToDefender: 0,
    conflicts: 0,
    failed: 0,
    quarantined: 0,
    reconciled: 0,
    alertsUploaded: 0,
    alertUploadsFailed: 0,
  };
}

/** An empty report for a cycle that starts now. */
export function newSyncReport(
  cycle: number,
  started: Date,
  dryRun: boolean,
  reconciliation: boolean,
  watermarks: Pick<Watermarks, "defender" | "sentinel">,
): SyncReport {
  return {
    cycle,
    startedAt: started.toISOString(),
    finishedAt: "",
    durationInMs: 0,
    dryRun,
    reconciliation,
    counts: emptyCounts(),
    writes: { defender: 0, sentinel: 0 },
    apiCalls: { defender: 0, sentinel: 0 },
    throttledResponses: { defender: 0, sentinel: 0 },
    watermarks: { defender: watermarks.defender, sentinel: watermarks.sentinel },
    plannedWrites: [],
    plannedPairs: [],
    failures: [],
    warnings: [],
  };
}
