import { emptyCounts, type SyncCounts, type SyncReport } from "../sync/syncReport";
import type { LaneFailureReason } from "./laneHealth";

/** A lane's cycle completed. */
export interface LaneCompleted {
  laneId: string;
  status: "completed";
  report: SyncReport;
}

/** A lane's cycle failed; the other lanes' cycles were not affected. */
export interface LaneFailed {
  laneId: string;
  status: "failed";
  reason: LaneFailureReason;
  error: unknown;
  /** The lane is unhealthy (backed off) after this failure. */
  unhealthy: boolean;
  consecutiveFailures: number;
  /** When the lane will next be tried (ISO 8601); undefined: on the normal cadence. */
  nextAttemptAt: string | undefined;
}

/**
 * A lane that ran no cycle: `backoff` (unhealthy, its next attempt is later), `notOwned` (another process owns
 * it), `lost` (lost to another process mid-cycle), `removed` (removed while the round ran), `aborted` (the
 * caller's signal fired).
 */
export interface LaneSkipped {
  laneId: string;
  status: "skipped";
  reason: "backoff" | "notOwned" | "lost" | "removed" | "aborted";
  nextAttemptAt?: string;
}

/**
 * What one lane did in a fleet round: completed (with its `SyncReport`), failed, or skipped; tell them apart by
 * `status`.
 */
export type LaneCycleResult = LaneCompleted | LaneFailed | LaneSkipped;

/**
 * Sums over all lanes of one fleet round: lanes by outcome, sync counts, writes, API calls and throttled responses
 * per service.
 */
export interface FleetTotals {
  lanes: number;
  completed: number;
  failed: number;
  skipped: number;
  /** Sums over the completed lanes' reports. */
  counts: SyncCounts;
  writes: { defender: number; sentinel: number };
  /** Requests per service, summed over lanes (a client shared by lanes counts every lane's calls in each). */
  apiCalls: { defender: number; sentinel: number };
  throttledResponses: { defender: number; sentinel: number };
}

/** What one `SyncFleet.runOnce` did: a result per lane, in the order the lanes were added, and totals. */
export interface FleetReport {
  startedAt: string;
  finishedAt: string;
  durationInMs: number;
  lanes: LaneCycleResult[];
  totals: FleetTotals;
}

type Pair = { defender: number; sentinel: number };

function addPair(into: Pair, from: Pair): void {
  into.defender += from.defender;
  into.sentinel += from.sentinel;
}

/** Totals of a round's lane results. */
export function fleetTotals(lanes: readonly LaneCycleResult[]): FleetTotals {
  const totals: FleetTotals = {
    lanes: lanes.length,
    completed: 0,
    failed: 0,
    skipped: 0,
    counts: emptyCounts(),
    writes: { defender: 0, sentinel: 0 },
    apiCalls: { defender: 0, sentinel: 0 },
    throttledResponses: { defender: 0, sentinel: 0 },
  };
  for (const lane of lanes) {
    totals[lane.status]++;
    if (lane.status !== "completed") continue;
    const { report } = lane;
    for (const key of Object.keys(totals.counts) as (keyof SyncCounts)[])
      totals.counts[key] += report.counts[key] ?? 0;
    addPair(totals.writes, report.writes);
    addPair(totals.apiCalls, report.apiCalls);
    addPair(totals.throttledResponses, report.throttledResponses);
  }
  return totals;
}
