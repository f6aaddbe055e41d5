/**
 * One Defender XDR tenant: its incidents (Graph v1.0 wire shape, alerts included) and the control API tests
 * use to act as analysts or as Defender itself (merges).
 */
import { EMULATOR_APP_ID } from "./auth";
import {
  CORRELATION_ACTOR,
  createIncidentGenerator,
  type IncidentGenerator,
  mergeIncidentRecords,
} from "./generator";
import type { EmulatorClock } from "./time";
import type { EmulatorUser, GraphComment, GraphIncident } from "./types";

/** Thrown by the control APIs for impossible requests (unknown id, merging a closed incident, …). */
export class EmulatorError extends Error {
  override name = "EmulatorError";
}

/** An analyst's edit: any incident field except `id`. */
export type DefenderIncidentEdit = Partial<Omit<GraphIncident, "id" | "@odata.type">>;

/** Options of an analyst edit made through the Defender control API: who made it (`lastModifiedBy`). */
export interface DefenderEditOptions {
  /** Who made the change (`lastModifiedBy`). Default: the first analyst of the directory. */
  by?: string;
}

/** Control API of one Defender tenant. Returned objects are copies: mutate state only through these calls. */
export interface DefenderControl {
  readonly tenantId: string;
  /**
   * Creates an incident as Defender's correlation engine would (generated alerts and evidence), stamped now
   * or `at` (an earlier event; timestamps still increase).
   */
  createIncident(partial?: DefenderIncidentEdit, options?: { at?: Date }): GraphIncident;
  /** Changes fields as an analyst in the portal would; bumps `lastUpdateDateTime`, sets `lastModifiedBy`. */
  editIncident(id: string, patch: DefenderIncidentEdit, options?: DefenderEditOptions): GraphIncident;
  /** Appends a comment (default author: the first analyst). Returns all comments, like the Graph POST. */
  addComment(id: string, text: string, author?: string): GraphComment[];
  /** Defender merges `sourceId` into `targetId`. */
  mergeIncidents(sourceId: string, targetId: string): { source: GraphIncident; target: GraphIncident };
  getIncident(id: string): GraphIncident | undefined;
  /** Every incident, oldest id first. */
  listIncidents(): GraphIncident[];
  /** The analysts of the tenant's directory. */
  users(): EmulatorUser[];
}

export interface DefenderTenantOptions {
  tenantId: string;
  incidents: number;
  seed: number;
  baseTime: Date;
}

export class DefenderTenant implements DefenderControl {
  readonly tenantId: string;
  readonly incidents = new Map<string, GraphIncident>();
  private generator!: IncidentGenerator;
  private nextId = 0;
  /** Called after a merge, so linked Sentinel workspaces can mirror it as the connector would. */
  onMerge?: (source: GraphIncident, target: GraphIncident) => void;

  constructor(
    private readonly options: DefenderTenantOptions,
    private readonly clock: EmulatorClock,
    readonly directory: EmulatorUser[],
  ) {
    this.tenantId = options.tenantId;
    this.seedData();
  }

  /** (Re)creates the generated incidents. */
  seedData(): void {
    this.incidents.clear();
    this.generator = createIncidentGenerator({
      seed: this.options.seed,
      baseTime: this.options.baseTime,
      tenantId: this.tenantId,
      users: this.directory,
    });
    for (const incident of this.generator.incidents(this.options.incidents)) {
      this.incidents.set(incident.id, incident);
      this.clock.observe(incident.lastUpdateDateTime);
    }
    const ids = [...this.incidents.keys()].map(Number);
    this.nextId = (ids.length ? Math.max(...ids) : 1000 + 97 * (this.options.seed % 50)) + 1;
  }

  /** The generator used for this tenant's data (connector copies use it too). */
  get incidentGenerator(): IncidentGenerator {
    return this.generator;
  }

  /** Stored record (not a copy), for the route handlers. */
  record(id: string): GraphIncident | undefined {
    return this.incidents.get(id);
  }

  /** The identity API writes are attributed to. */
  static apiActor(appId?: string): string {
    return `API-App:${appId ?? EMULATOR_APP_ID}`;
  }

  private require(id: string): GraphIncident {
    const incident = this.incidents.get(id);
    if (!incident)
      throw new EmulatorError(`Defender incident ${id} does not exist in tenant ${this.tenantId}`);
    return incident;
  }

  private defaultAnalyst(): string {
    return this.directory[0]?.userPrincipalName ?? "analyst@contoso.onmicrosoft.com";
  }

  createIncident(partial: DefenderIncidentEdit = {}, options: { at?: Date } = {}): GraphIncident {
    const id = String(this.nextId++);
    const stamp = options.at ? this.clock.stampAt(options.at) : this.clock.stamp();
    const incident = this.generator.incident({
      status: "active",
      classification: "unknown",
      determination: "unknown",
    });
    incident.id = id;
    incident.incidentWebUrl = `https://security.microsoft.com/incidents/${id}?tid=${this.tenantId}`;
    incident.createdDateTime = stamp;
    incident.lastUpdateDateTime = stamp;
    incident.redirectIncidentId = null;
    incident.resolvingComment = null;
    incident.comments = [];
    incident.lastModifiedBy = null;
    for (const alert of incident.alerts) {
      alert.incidentId = id;
      alert.incidentWebUrl = incident.incidentWebUrl;
      alert.status = "new";
      alert.classification = null;
      alert.determination = null;
      alert.assignedTo = null;
      alert.resolvedDateTime = null;
      alert.createdDateTime = stamp;
      alert.lastUpdateDateTime = stamp;
    }
    Object.assign(incident, structuredClone(partial));
    this.incidents.set(id, incident);
    return structuredClone(incident);
  }

  editIncident(id: string, patch: DefenderIncidentEdit, options: DefenderEditOptions = {}): GraphIncident {
    const incident = this.require(id);
    const { lastUpdateDateTime, lastModifiedBy, ...rest } = structuredClone(patch);
    Object.assign(incident, rest);
    this.afterStatusChange(incident);
    incident.lastUpdateDateTime = lastUpdateDateTime ?? this.clock.stamp();
    incident.lastModifiedBy = lastModifiedBy ?? options.by ?? this.defaultAnalyst();
    return structuredClone(incident);
  }

  /** Resolving an incident resolves its alerts; reopening it reactivates them. */
  afterStatusChange(incident: GraphIncident): void {
    for (const alert of incident.alerts) {
      if (incident.status === "resolved" && alert.status !== "resolved") {
        alert.status = "resolved";
        alert.resolvedDateTime = this.clock.stamp();
        alert.lastUpdateDateTime = alert.resolvedDateTime;
      } else if (
        (incident.status === "active" || incident.status === "inProgress") &&
        alert.status === "resolved"
      ) {
        alert.status = incident.status === "active" ? "new" : "inProgress";
        alert.resolvedDateTime = null;
        alert.lastUpdateDateTime = this.clock.stamp();
      }
    }
  }

  addComment(id: string, text: string, author?: string): GraphComment[] {
    const incident = this.require(id);
    const stamp = this.clock.stamp();
    incident.comments.push({
      comment: text,
      createdByDisplayName: author ?? this.defaultAnalyst(),
      createdDateTime: stamp,
    });
    incident.lastUpdateDateTime = stamp;
    incident.lastModifiedBy = author ?? this.defaultAnalyst();
    return structuredClone(incident.comments);
  }

  mergeIncidents(sourceId: string, targetId: string): { source: GraphIncident; target: GraphIncident } {
    if (sourceId === targetId) throw new EmulatorError("cannot merge an incident into itself");
    const source = this.require(sourceId);
    const target = this.require(targetId);
    for (const i of [source, target]) {
      // Closed incidents are never merged.
      if (i.status === "resolved" || i.status === "redirected") {
        throw new EmulatorError(`incident ${i.id} is ${i.status}; Defender does not merge closed incidents`);
      }
    }
    mergeIncidentRecords(source, target, this.clock.stamp());
    target.lastUpdateDateTime = this.clock.stamp();
    target.lastModifiedBy = CORRELATION_ACTOR;
    this.onMerge?.(source, target);
    return { source: structuredClone(source), target: structuredClone(target) };
  }

  getIncident(id: string): GraphIncident | undefined {
    const incident = this.incidents.get(id);
    return incident ? structuredClone(incident) : undefined;
  }

  listIncidents(): GraphIncident[] {
    return [...this.incidents.values()]
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((i) => structuredClone(i));
  }

  users(): EmulatorUser[] {
    return structuredClone(this.directory);
  }
}
