import type { DefenderIncidentsApi } from "../defender/defenderApi";
import type { MappingProfile } from "../mapping";
import type { SentinelIncident } from "../sentinel/models";
import type { SentinelIncidentsApi } from "../sentinel/sentinelApi";
import type { SentinelTarget } from "../targets/sentinelTarget";
import type { CycleViews } from "./classic/pairView";
import type { ConflictPolicy } from "./conflictPolicy";
import type { SyncEngineEvents } from "./events";
import type { SyncPairHook } from "./pairHook";
import type { StateStore } from "./stateStore";
import type { PlannedWrite, SyncReport } from "./syncReport";

/**
 * Which way a `SyncEngine` copies changes: `both` (default), `defender-to-sentinel` only, or `sentinel-to-defender`
 * only.
 */
export type SyncDirection = "both" | "defender-to-sentinel" | "sentinel-to-defender";

/** Settings resolved from SyncEngineOptions, shared by the parts of a cycle. */
export interface EngineSettings {
  defender: DefenderIncidentsApi;
  sentinel: SentinelIncidentsApi;
  store: StateStore;
  profile: MappingProfile;
  direction: SyncDirection;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
  connectorCopies: "link" | "ignore";
  writeConnectorFields: boolean;
  tenantId: string | undefined;
  maxConflictRetries: number;
  quarantineBackoff: { initialInMs: number; maxInMs: number };
  expandAlerts: boolean;
  syncComments: boolean;
  /** The classic target (wraps `sentinel`): every classic-mode read and write of the mirror side goes through it. */
  classic: SentinelTarget;
  /** Run after each pair (e.g. `LogsIngestionAlertSink` uploading the incident's alerts). */
  pairHooks: readonly SyncPairHook[];
  now: () => Date;
}

/** State of one running cycle. */
export interface CycleContext {
  settings: EngineSettings;
  report: SyncReport;
  /** Every incident read this cycle, mapped once. */
  views: CycleViews;
  abortSignal: AbortSignal;
  emit: <E extends keyof SyncEngineEvents>(event: E, ...args: Parameters<SyncEngineEvents[E]>) => void;
  /** Defender ids processed this cycle (a pair is handled once per cycle). */
  processed: Set<string>;
  /** Redirect targets to sync before the cycle ends. */
  followUps: Set<string>;
  /** Records a write: in dry-run it is only planned; returns true when the caller should perform it. */
  plan: (write: PlannedWrite) => boolean;
  reconciling: boolean;
  /**
   * Pairs whose Sentinel incident we wrote comments to this page: their etag moved because of us. Re-read
   * together, with one list call per page, instead of one GET each.
   */
  etagRefresh: { defenderId: string; sentinelName: string; since: string | undefined }[];
  /** Copies made by Microsoft's connector exist in this workspace (gates per-page lookups). */
  connectorCopiesSeen: boolean;
  /**
   * Connector copies the Sentinel pass found unlinked, by Defender id. The Defender pass links each with the
   * Defender incident it lists anyway (no GET per copy); what it does not bring is linked after it.
   */
  deferredCopies: Map<string, SentinelIncident>;
}

export { CONNECTOR_PROVIDER_NAMES, isConnectorCopy } from "../targets/connectorCopy";
