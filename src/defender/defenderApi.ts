import type { OperationOptions } from "../core/clientOptions";
import type { ClientMetrics } from "../core/metrics";
import type { PagedAsyncIterableIterator, PageSettings } from "../core/paging";
import type { WarningListener } from "../core/warnings";
import type {
  CountDefenderIncidentsOptions,
  GetDefenderIncidentOptions,
  ListDefenderIncidentsOptions,
} from "./defenderClient";
import type { AlertComment, DefenderIncident, DefenderIncidentPatch } from "./models";

/**
 * The part of `DefenderClient` a `SyncEngine`, a `UnifiedTarget` and a `SyncFleet` lane use: Defender XDR
 * incidents through Microsoft Graph, with the client's request counters and warnings.
 *
 * @remarks
 * `DefenderClient` implements it. Any object with these members can stand in for the client, e.g. a decorator
 * that logs, caches or counts calls and delegates to a real `DefenderClient`, or a test double. The engine
 * checks at construction that every method is there.
 *
 * @example
 * ```ts
 * const counted: DefenderIncidentsApi = {
 *   metrics: defender.metrics,
 *   onWarning: (listener) => defender.onWarning(listener),
 *   listIncidents: (options) => defender.listIncidents(options),
 *   countIncidents: (options) => defender.countIncidents(options),
 *   getIncident: (id, options) => defender.getIncident(id, options),
 *   updateIncident: (id, patch, options) => { calls++; return defender.updateIncident(id, patch, options); },
 *   addIncidentComment: (id, comment, options) => defender.addIncidentComment(id, comment, options),
 * };
 * new SyncEngine({ defender: counted, sentinel });
 * ```
 */
export interface DefenderIncidentsApi {
  /** Request counters; the engine reports their growth per cycle and forwards throttling (`throttled`). */
  readonly metrics: ClientMetrics;
  /** Subscribes to the client's warnings (forwarded as the engine's `warning` event); returns the unsubscribe function. */
  onWarning(listener: WarningListener): () => void;
  /** Incidents updated since a time, oldest update first (see `DefenderClient.listIncidents`). */
  listIncidents(
    options?: ListDefenderIncidentsOptions,
  ): PagedAsyncIterableIterator<DefenderIncident, DefenderIncident[], PageSettings>;
  /** How many incidents `listIncidents` would return (a backfill's progress estimate); `undefined` when unknown. */
  countIncidents(options?: CountDefenderIncidentsOptions): Promise<number | undefined>;
  /** One incident; `undefined` when it does not exist. */
  getIncident(id: string, options?: GetDefenderIncidentOptions): Promise<DefenderIncident | undefined>;
  /** PATCHes the fields given; returns the incident as updated. */
  updateIncident(
    id: string,
    patch: DefenderIncidentPatch,
    options?: OperationOptions,
  ): Promise<DefenderIncident>;
  /** Appends a comment; returns the incident's whole comment list. */
  addIncidentComment(id: string, comment: string, options?: OperationOptions): Promise<AlertComment[]>;
}
