import type { ThrottleInfo } from "../core/metrics";
import type { SyncWarning } from "../core/warnings";
import type { CanonicalIncident } from "../mapping";
import type { SyncReport } from "./syncReport";
import type { MergeGroup, Side } from "./threeWayMerge";

export type SyncDirectionName = "defender-to-sentinel" | "sentinel-to-defender";

export interface FieldChange {
  field: keyof CanonicalIncident;
  from: unknown;
  to: unknown;
}

export interface IncidentCreatedEvent {
  defenderId: string;
  sentinelName: string;
  /** True when an existing copy made by Microsoft's connector was linked instead of creating one. */
  linkedConnectorCopy: boolean;
  dryRun: boolean;
}

export interface IncidentUpdatedEvent {
  defenderId: string;
  sentinelName: string;
  direction: SyncDirectionName;
  changes: FieldChange[];
  dryRun: boolean;
}

export interface IncidentLifecycleEvent {
  defenderId: string;
  sentinelName: string;
  /** The side where the analyst closed/reopened it; the other side was updated to match. */
  origin: Side;
  classification: CanonicalIncident["classification"];
  dryRun: boolean;
}

export interface IncidentRedirectedEvent {
  defenderId: string;
  sentinelName: string;
  targetDefenderId: string;
  targetSentinelName: string;
  dryRun: boolean;
}

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

export interface ProgressEvent {
  phase: "backfill" | "incremental" | "reconcile";
  side: Side;
  processed: number;
  estimatedTotal: number | undefined;
}

/** The typed event map of SyncEngine (an unknown event name does not compile). */
export interface SyncEngineEvents {
  "incident.created": (event: IncidentCreatedEvent) => void;
  "incident.updated": (event: IncidentUpdatedEvent) => void;
  "incident.closed": (event: IncidentLifecycleEvent) => void;
  "incident.reopened": (event: IncidentLifecycleEvent) => void;
  "incident.redirected": (event: IncidentRedirectedEvent) => void;
  "comment.synced": (event: CommentSyncedEvent) => void;
  conflict: (event: ConflictEvent) => void;
  "incident.failed": (event: IncidentFailedEvent) => void;
  throttled: (event: ThrottleInfo) => void;
  /** A tolerated oddity or a fallback the clients took (each fallback is announced once per client). */
  warning: (event: SyncWarning) => void;
  progress: (event: ProgressEvent) => void;
  "cycle.completed": (report: SyncReport) => void;
  error: (error: unknown) => void;
}
