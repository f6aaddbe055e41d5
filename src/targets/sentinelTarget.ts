import type { OperationOptions } from "../core/clientOptions";
import { odataString } from "../core/odata";
import type { PagedAsyncIterableIterator, PageSettings } from "../core/paging";
import type { InvalidItemHandler } from "../core/parseItems";
import type { SentinelComment, SentinelIncident, SentinelIncidentWriteProperties } from "../sentinel/models";
import type { SentinelIncidentsApi } from "../sentinel/sentinelApi";
import { isConnectorCopy } from "./connectorCopy";

/** Largest page the incidents list accepts (`$top`). */
const PAGE_SIZE = 1000;

/** Options of {@link SentinelTarget.listChanges}. */
export interface ListSentinelChangesOptions extends OperationOptions {
  modifiedSince?: Date | string;
  onInvalidItem?: InvalidItemHandler;
}

/** Options of {@link SentinelTarget.writeIncident}. */
export interface WriteSentinelIncidentOptions extends OperationOptions {
  /** The etag read with the incident (an update); absent for a new copy. */
  etag?: string;
}

/**
 * The classic target: Sentinel incidents created and updated through the SecurityInsights incidents API
 * (deterministic names, etag-checked PUTs, linking with copies made by Microsoft's Defender XDR connector).
 * `new SyncEngine({ defender, target: new SentinelTarget(sentinel) })` is the same as `{ defender, sentinel }`.
 * Once a workspace is onboarded to the unified Defender portal, incidents created this way are not shown
 * there (learn.microsoft.com/azure/sentinel/move-to-defender): use `UnifiedTarget` for those workspaces.
 */
export class SentinelTarget {
  readonly kind = "sentinel" as const;
  /** @param sentinel - The workspace: a `SentinelClient`, or any object of the `SentinelIncidentsApi` members. */
  constructor(readonly sentinel: SentinelIncidentsApi) {}

  /** Incidents modified since a time (all of them without one), oldest first, in pages of 1,000. */
  listChanges(
    options: ListSentinelChangesOptions = {},
  ): PagedAsyncIterableIterator<SentinelIncident, SentinelIncident[], PageSettings> {
    return this.sentinel.listIncidents({ ...options, pageSize: PAGE_SIZE });
  }

  /** One incident by name; `undefined` when it does not exist. */
  getIncident(name: string, options: OperationOptions = {}): Promise<SentinelIncident | undefined> {
    return this.sentinel.getIncident(name, options);
  }

  /** Creates the copy (no etag) or updates it (etag-checked: a newer version gives a `ConflictError`). */
  writeIncident(
    name: string,
    body: SentinelIncidentWriteProperties,
    options: WriteSentinelIncidentOptions = {},
  ): Promise<SentinelIncident> {
    return this.sentinel.createOrUpdateIncident(name, body, options);
  }

  /** Every comment of an incident (all pages). */
  async listComments(name: string, options: OperationOptions = {}): Promise<SentinelComment[]> {
    const out: SentinelComment[] = [];
    for await (const page of this.sentinel.listIncidentComments(name, options).byPage()) out.push(...page);
    return out;
  }

  /** Writes a comment under an id of our choosing (the same id again rewrites it: retries never duplicate). */
  async addComment(name: string, commentId: string, message: string, options: OperationOptions = {}) {
    await this.sentinel.createIncidentComment(name, commentId, message, options);
  }

  /**
   * Link lookup: the copies Microsoft's connector made of these Defender incidents, by Defender id, with one
   * list call (`providerIncidentId eq … or …`).
   */
  async findConnectorCopies(
    defenderIds: readonly string[],
    options: OperationOptions = {},
  ): Promise<Map<string, SentinelIncident>> {
    const found = new Map<string, SentinelIncident>();
    if (defenderIds.length === 0) return found;
    const filter = defenderIds
      .map((id) => `properties/providerIncidentId eq ${odataString(id)}`)
      .join(" or ");
    for await (const page of this.sentinel
      .listIncidents({ ...options, filter, pageSize: PAGE_SIZE })
      .byPage()) {
      for (const incident of page) {
        const providerId = incident.properties.providerIncidentId;
        if (providerId && isConnectorCopy(incident.properties.providerName)) found.set(providerId, incident);
      }
    }
    return found;
  }
}
