import type { OperationOptions } from "../core/clientOptions";
import type { ClientMetrics } from "../core/metrics";
import type { PagedAsyncIterableIterator, PageSettings } from "../core/paging";
import type { DefenderIncident, DefenderIncidentPatch } from "../defender/models";

/** The source incident a target incident mirrors, as the target records it. */
export interface SourceKey {
  tenantId: string;
  incidentId: string;
  /** The source alert a target alert was made from, when the target tells. */
  alertId?: string;
}

/** One incident on the mirror side, read through the target's own API. */
export interface TargetIncident {
  /** Target-side id (a Graph incident id for the unified target). */
  id: string;
  /** Change marker (Graph `lastUpdateDateTime`). */
  version: string | undefined;
  /** Every source incident this target incident carries alerts of (normally one). */
  sources: SourceKey[];
  /** The raw incident as the target's service returned it (parsed). */
  incident: DefenderIncident;
}

/** What `materialize` did for a source incident that has no linked target incident yet. */
export interface MaterializeResult {
  /** Source alert versions handed to the target (rows uploaded), as `alertId@lastUpdateDateTime`. */
  relayed: string[];
  /** Alert versions left for a later cycle (relay budget spent). */
  deferred: string[];
}

/**
 * Options of `IncidentTarget.materialize`: the alert versions the target already received, and whether to send every
 * alert again.
 */
export interface MaterializeOptions extends OperationOptions {
  /** Alert versions the target already received for this incident (never sent twice unless re-relaying). */
  alreadyRelayed: readonly string[];
  /** Send every alert again (the pair stayed pending past its timeout: rows may have been swallowed). */
  reRelay?: boolean;
}

/** Options of `IncidentTarget.listChanges`: only target incidents updated since this time. */
export interface ListTargetChangesOptions extends OperationOptions {
  updatedSince?: Date;
}

/**
 * The mirror side of a sync lane. The engine reads target incidents, links them to source incidents through
 * `sources`, and writes through Graph-shaped patches and comments; creation is asynchronous (`materialize`
 * hands the source's alerts over; the incident appears later and is found by `listChanges`).
 */
export interface IncidentTarget {
  readonly kind: "unified";
  /** Request counters of the target's services (Graph of the target tenant, ingestion). */
  readonly metrics: readonly ClientMetrics[];
  /** Target incidents updated since a time, oldest first, with their alerts (to read the source keys). */
  listChanges(
    options: ListTargetChangesOptions,
  ): PagedAsyncIterableIterator<TargetIncident, TargetIncident[], PageSettings>;
  getIncident(id: string, options?: OperationOptions): Promise<TargetIncident | undefined>;
  /** Hands the source incident's (new) alerts to the target, which will create or extend an incident. */
  materialize(
    source: DefenderIncident,
    sourceTenantId: string,
    options: MaterializeOptions,
  ): Promise<MaterializeResult>;
  /** Applies a Graph incident PATCH to a target incident; returns it as updated. */
  updateIncident(
    id: string,
    patch: DefenderIncidentPatch,
    options?: OperationOptions,
  ): Promise<TargetIncident>;
  addComment(id: string, text: string, options?: OperationOptions): Promise<void>;
}
