import type { ThrottleInfo } from "../core/metrics";
import type { SyncWarning } from "../core/warnings";
import type { CanonicalIncident } from "../mapping";
import type { SyncReport } from "./syncReport";
import type { MergeGroup, Side } from "./threeWayMerge";

/** The direction one change was copied in: `defender-to-sentinel` or `sentinel-to-defender`. */
export type SyncDirectionName = "defender-to-sentinel" | "sentinel-to-defender";

/** One canonical field a sync changed on the other side: its name and the values before and after. */
export interface FieldChange {
  field: keyof CanonicalIncident;
  from: unknown;
  to: unknown;
}

/**
 * Payload of the engine's `incident.created` event: a mirror incident was created for a Defender incident (or an
 * existing connector copy linked).
 */
export interface IncidentCreatedEvent {
  defenderId: string;
  sentinelName: string;
  /** True when an existing copy made by Microsoft's connector was linked instead of creating one. */
  linkedConnectorCopy: boolean;
  dryRun: boolean;
}

/** Payload of the engine's `incident.updated` event: fields of one side were updated from the other. */
export interface IncidentUpdatedEvent {
  defenderId: string;
  sentinelName: string;
  direction: SyncDirectionName;
  changes: FieldChange[];
  dryRun: boolean;
}

/**
 * Payload of the engine's `incident.closed` and `incident.reopened` events: an analyst closed or reopened the
 * incident on one side and the other side was updated to match.
 */
export interface IncidentLifecycleEvent {
  defenderId: string;
  sentinelName: string;
  /** The side where the analyst closed/reopened it; the other side was updated to match. */
  origin: Side;
  classification: CanonicalIncident["classification"];
  dryRun: boolean;
}

/**
 * Payload of the engine's `incident.redirected` event: Defender merged the incident into another one, and the pair
 * now follows that incident.
 */
export interface IncidentRedirectedEvent {
  defenderId: string;
  sentinelName: string;
  targetDefenderId: string;
  targetSentinelName: string;
  dryRun: boolean;
}

/**
 * Payload of the engine's `comment.synced` event: a comment was copied to the other side (a Sentinel edit is
 * re-posted to Defender, which cannot edit comments).
 */
export interface CommentSyncedEvent {
  defenderId: string;
  sentinelName: string;
  direction: SyncDirectionName;
  sentinelCommentId: string;
  /** "edit": a Sentinel edit re-posted to Defender (which cannot edit comments). */
  kind: "new" | "edit";
  truncated: boolean;
  dryRun: boolean;
}

/**
 * Payload of the engine's `conflict` event: both sides changed the same merge group to different values since the
 * last sync, and which side the conflict policy chose.
 */
export interface ConflictEvent {
  defenderId: string;
  sentinelName: string;
  group: MergeGroup;
  fields: readonly (keyof CanonicalIncident)[];
  base: {
    defender: Partial<CanonicalIncident> | undefined;
    sentinel: Partial<CanonicalIncident> | undefined;
  };
  defenderValue: Partial<CanonicalIncident>;
  sentinelValue: Partial<CanonicalIncident>;
  defenderUpdatedAt: string | undefined;
  sentinelUpdatedAt: string | undefined;
  resolution: Side;
}

/**
 * Payload of the engine's `incident.failed` event: syncing one incident pair failed; transient failures (throttling,
 * 5xx, network) are retried next cycle, poison ones quarantine the pair.
 */
export interface IncidentFailedEvent {
  defenderId: string | undefined;
  sentinelName: string | undefined;
  reason: string;
  error: unknown;
  /** Transient failures (throttling, 5xx, network) are retried next cycle; poison ones are quarantined. */
  transient: boolean;
  quarantined: boolean;
  attempts: number;
}

/** Unified target: the source incident's alerts were handed to the target; its incident is not there yet. */
export interface IncidentPendingEvent {
  defenderId: string;
  /** Source alerts relayed in this step (rows uploaded). */
  alertsRelayed: number;
  /** Alerts left for a later cycle (the relay rule's per-run budget was spent). */
  alertsDeferred: number;
  /** The pair had been pending past its timeout and its alerts were sent again. */
  reRelayed: boolean;
  dryRun: boolean;
}

/** Unified target: a target incident was found for a pending pair (or the pair moved to another target incident). */
export interface IncidentLinkedEvent {
  defenderId: string;
  targetIncidentId: string;
  /** The previous target incident when the pair moved (Defender merged the target incident). */
  previousTargetIncidentId: string | undefined;
  /** From the first relay of the source incident to this link; undefined when relinking. */
  pendingForMs: number | undefined;
  dryRun: boolean;
}

/** Unified target: a second target incident for one source incident was resolved as a duplicate. */
export interface IncidentDuplicateEvent {
  defenderId: string;
  primaryTargetIncidentId: string;
  duplicateTargetIncidentId: string;
  dryRun: boolean;
}

/**
 * Payload of the engine's `progress` event: how many incidents a cycle phase (backfill, incremental, reconcile) has
 * read from one side so far.
 */
export interface ProgressEvent {
  phase: "backfill" | "incremental" | "reconcile";
  side: Side;
  processed: number;
  estimatedTotal: number | undefined;
}

/**
 * Payload of the engine's `cycle.failed` event: a whole cycle failed (a side could not be listed, the cycle timed
 * out, the state store failed); the next cycle retries it.
 */
export interface CycleFailedEvent {
  /** The number of the cycle that failed (the next cycle retries it); undefined when the store could not be read. */
  cycle: number | undefined;
  /** Why: e.g. a side could not be listed, `CycleTimeoutError`, a paging error, a state-store failure. */
  error: unknown;
}

/** The typed event map of SyncEngine (an unknown event name does not compile). */
export interface SyncEngineEvents {
  "incident.created": (event: IncidentCreatedEvent) => void;
  "incident.updated": (event: IncidentUpdatedEvent) => void;
  "incident.closed": (event: IncidentLifecycleEvent) => void;
  "incident.reopened": (event: IncidentLifecycleEvent) => void;
  "incident.redirected": (event: IncidentRedirectedEvent) => void;
  "incident.pending": (event: IncidentPendingEvent) => void;
  "incident.linked": (event: IncidentLinkedEvent) => void;
  "incident.duplicate": (event: IncidentDuplicateEvent) => void;
  "comment.synced": (event: CommentSyncedEvent) => void;
  conflict: (event: ConflictEvent) => void;
  "incident.failed": (event: IncidentFailedEvent) => void;
  throttled: (event: ThrottleInfo) => void;
  /** A tolerated oddity or a fallback the clients took (each fallback is announced once per client). */
  warning: (event: SyncWarning) => void;
  progress: (event: ProgressEvent) => void;
  "cycle.completed": (report: SyncReport) => void;
  /** A cycle failed (`runOnce` rejects with the same error; `start()` also emits it on `error`). */
  "cycle.failed": (event: CycleFailedEvent) => void;
  error: (error: unknown) => void;
}
