import type { SyncEngineEvents } from "../sync/events";
import type { FleetReport } from "./fleetReport";
import type { LaneFailureReason } from "./laneHealth";

/** The engine events a fleet re-emits for its lanes (all but `error`, which the fleet has its own of). */
export type LaneEngineEventName = Exclude<keyof SyncEngineEvents, "error">;

/** An engine event of lane `laneId`, as the fleet re-emits it under the engine event's name. */
export interface LaneEvent<E extends LaneEngineEventName = LaneEngineEventName> {
  laneId: string;
  event: Parameters<SyncEngineEvents[E]>[0];
}

/** Every engine event name the fleet forwards (a new engine event that is not listed here fails to compile). */
export const LANE_ENGINE_EVENTS: Record<LaneEngineEventName, true> = {
  "incident.created": true,
  "incident.updated": true,
  "incident.closed": true,
  "incident.reopened": true,
  "incident.redirected": true,
  "incident.pending": true,
  "incident.linked": true,
  "incident.duplicate": true,
  "comment.synced": true,
  conflict: true,
  "incident.failed": true,
  throttled: true,
  warning: true,
  progress: true,
  "cycle.completed": true,
  "cycle.failed": true,
};

/** Payload of the fleet's `lane.unhealthy` event: a lane failed and is backed off until `nextAttemptAt`. */
export interface LaneUnhealthyEvent {
  laneId: string;
  reason: LaneFailureReason;
  error: unknown;
  consecutiveFailures: number;
  /** When the lane will be tried again; its cycles are skipped until then. */
  nextAttemptAt: Date;
}

/** Payload of the fleet's `lane.recovered` event: a lane that was unhealthy completed a cycle. */
export interface LaneRecoveredEvent {
  laneId: string;
  /** From the first failure that made the lane unhealthy to the cycle that completed. */
  unhealthyForMs: number;
  /** Failed cycles in a row before this one completed. */
  failures: number;
}

/** Payload of the fleet's `lane.added`, `lane.removed` and `lane.lost` events: the lane concerned. */
export interface LaneChangeEvent {
  laneId: string;
}

/** The fleet's own events. */
export interface FleetOwnEvents {
  /** A lane failed in a way that retrying on its normal cadence cannot fix, or kept failing; it is backed off. */
  "lane.unhealthy": (event: LaneUnhealthyEvent) => void;
  /** An unhealthy lane completed a cycle. */
  "lane.recovered": (event: LaneRecoveredEvent) => void;
  "lane.added": (event: LaneChangeEvent) => void;
  "lane.removed": (event: LaneChangeEvent) => void;
  /** Another process took the lane (see `LaneOwnership`); its in-flight cycle was aborted. */
  "lane.lost": (event: LaneChangeEvent) => void;
  /** A `runOnce` round finished. */
  "fleet.completed": (report: FleetReport) => void;
  /** A listener threw, or lane ownership could not be claimed under `start()`. */
  error: (error: unknown) => void;
}

/** The typed event map of SyncFleet: every engine event with its lane id, plus the fleet's own events. */
export type SyncFleetEvents = {
  [E in LaneEngineEventName]: (event: LaneEvent<E>) => void;
} & FleetOwnEvents;
