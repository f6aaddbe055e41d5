import type { DefenderIncidentsApi } from "../../defender/defenderApi";
import type { MappingProfile } from "../../mapping";
import type { IncidentTarget } from "../../targets/incidentTarget";
import type { ConflictPolicy } from "../conflictPolicy";
import type { SyncDirection } from "../cycleContext";
import type { SyncEngineEvents } from "../events";
import type { StateStore, SyncRecord } from "../stateStore";
import type { PlannedWrite, SyncReport } from "../syncReport";

/** Settings of a lane whose target is an `IncidentTarget` (the unified relay). */
export interface RelaySettings {
  source: DefenderIncidentsApi;
  target: IncidentTarget;
  store: StateStore;
  profile: MappingProfile;
  direction: SyncDirection;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
  /** The source tenant; target incidents carrying another tenant's keys belong to other lanes. */
  sourceTenantId: string | undefined;
  /** A pair pending longer than this has its alerts relayed again. */
  pendingTimeoutInMs: number;
  now: () => Date;
}

/** State of one relay cycle. */
export interface RelayContext {
  settings: RelaySettings;
  report: SyncReport;
  abortSignal: AbortSignal;
  emit: <E extends keyof SyncEngineEvents>(event: E, ...args: Parameters<SyncEngineEvents[E]>) => void;
  /** Records a write: in dry-run it is only planned; returns true when the caller should perform it. */
  plan: (write: PlannedWrite) => boolean;
  /** Source ids handled this cycle (a pair is merged at most once per cycle). */
  processed: Set<string>;
  /** Source ids whose pair is pending. */
  pending: Set<string>;
  reconciling: boolean;
}

/** Placeholder target name of a pending pair (unique per source incident). */
export function pendingName(sourceId: string): string {
  return `pending:${sourceId}`;
}

export function isLinked(
  record: SyncRecord | undefined,
): record is SyncRecord & { relay: { targetId: string } } {
  return record?.relay?.targetId !== undefined;
}

/** Writes a record unless in dry-run; returns its version now. */
export async function saveRelayRecord(
  ctx: RelayContext,
  record: Omit<SyncRecord, "version">,
  expectedVersion: number,
): Promise<number> {
  if (ctx.settings.dryRun) return expectedVersion;
  const { quarantine: _dropped, ...clean } = record;
  return (await ctx.settings.store.putRecord(clean, expectedVersion)).version;
}
