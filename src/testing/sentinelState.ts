/**
 * One Sentinel workspace: incidents (ARM envelope), their comments, alerts and entities, the server-side
 * rules of a PUT (owner completion, label types, numbering, etags) and the control API.
 */
import { EMULATOR_APP_NAME, EMULATOR_APP_OBJECT_ID } from "./auth";
import { EmulatorError } from "./defenderState";
import type { SentinelIncidentSeed } from "./generator";
import type { EmulatorServices } from "./routing";
import type {
  EmulatorUser,
  SentinelAlert,
  SentinelComment,
  SentinelEntity,
  SentinelIncident,
  SentinelIncidentProperties,
  SentinelLabel,
  SentinelOwner,
} from "./types";

/**
 * The Sentinel limits the emulated workspace enforces: 100 comments per incident, 30,000 characters per comment,
 * 5,000 per description, 150 alerts per incident.
 */
export const SENTINEL_SERVICE_LIMITS = {
  maxComments: 100,
  maxCommentLength: 30_000,
  maxDescriptionLength: 5_000,
  maxAlerts: 150,
} as const;

/** Where a Sentinel workspace is in ARM: subscription ID, resource group and workspace name. */
export interface WorkspaceCoordinates {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

/** Writable incident properties (what a PUT carries); anything read-only is ignored. */
export interface SentinelIncidentInput {
  title: string;
  severity: string;
  status: string;
  description?: string;
  classification?: string;
  classificationReason?: string;
  classificationComment?: string;
  owner?: Partial<SentinelOwner> | null;
  labels?: { labelName: string; labelType?: string }[];
  firstActivityTimeUtc?: string;
  lastActivityTimeUtc?: string;
  /** Control API only (the connector sets these; a PUT cannot). */
  providerName?: string;
  providerIncidentId?: string;
  [field: string]: unknown;
}

/** An analyst's edit of a Sentinel incident through the control API: any writable incident property. */
export type SentinelIncidentEdit = Partial<SentinelIncidentInput>;

/** The author of a Sentinel comment (`ClientInfo`): object ID, email, name and UPN. */
export interface CommentAuthor {
  objectId?: string | null;
  email?: string | null;
  name?: string | null;
  userPrincipalName?: string | null;
}

/** Control API of one workspace. Returned objects are copies. */
export interface SentinelControl extends WorkspaceCoordinates {
  /** Creates an incident as a user in the portal would (providerName "Azure Sentinel" unless given). */
  createIncident(properties: SentinelIncidentInput, name?: string): SentinelIncident;
  /** Merges `patch` into the incident's properties; new etag and lastModifiedTimeUtc. */
  editIncident(name: string, patch: SentinelIncidentEdit): SentinelIncident;
  /** Adds a comment (author: an analyst user, or the given one). Returns the comment. */
  addComment(name: string, message: string, author?: CommentAuthor | string): SentinelComment;
  editComment(name: string, commentId: string, message: string): SentinelComment;
  getIncident(name: string): SentinelIncident | undefined;
  listIncidents(): SentinelIncident[];
  listComments(name: string): SentinelComment[];
  /** The incident with `providerIncidentId` (e.g. the connector copy of a Defender incident). */
  findByProviderIncidentId(providerIncidentId: string): SentinelIncident | undefined;
}

/**
 * An incident as an emulated Sentinel workspace stores it: the ARM resource, and its comments (by name), alerts and
 * entities.
 */
export interface StoredIncident {
  resource: SentinelIncident;
  comments: Map<string, SentinelComment>;
  alerts: SentinelAlert[];
  entities: SentinelEntity[];
}

export const SEVERITIES = ["High", "Medium", "Low", "Informational"] as const;
export const STATUSES = ["New", "Active", "Closed"] as const;
export const CLASSIFICATIONS = ["Undetermined", "TruePositive", "BenignPositive", "FalsePositive"] as const;
export const CLASSIFICATION_REASONS = [
  "SuspiciousActivity",
  "SuspiciousButExpected",
  "IncorrectAlertLogic",
  "InaccurateData",
] as const;
export const OWNER_TYPES = ["Unknown", "User", "Group"] as const;

/** The documented spelling of `value` in `values` (case-insensitive), or undefined. */
export function canonical(values: readonly string[], value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return values.find((v) => v.toLowerCase() === value.toLowerCase());
}

/**
 * One emulated Sentinel workspace: its incidents (with comments, alerts and entities), the service's rules for a PUT,
 * and the control API (`SentinelControl`). Route extensions (`ArmRouteExtension`) get the workspace a request
 * addresses.
 */
export class SentinelWorkspace implements SentinelControl {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly workspaceName: string;
  readonly workspaceId: string;
  readonly incidents = new Map<string, StoredIncident>();
  private nextNumber = 1;

  constructor(
    coordinates: WorkspaceCoordinates,
    private readonly services: EmulatorServices,
    readonly directory: EmulatorUser[],
    private readonly seeds: () => SentinelIncidentSeed[],
  ) {
    this.subscriptionId = coordinates.subscriptionId;
    this.resourceGroupName = coordinates.resourceGroupName;
    this.workspaceName = coordinates.workspaceName;
    this.workspaceId = services.newGuid();
    this.seedData();
  }

  get key(): string {
    return workspaceKey(this);
  }

  get resourcePrefix(): string {
    return (
      `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroupName}` +
      `/providers/Microsoft.OperationalInsights/workspaces/${this.workspaceName}/providers/Microsoft.SecurityInsights`
    );
  }

  incidentId(name: string): string {
    return `${this.resourcePrefix}/incidents/${name}`;
  }

  seedData(): void {
    this.incidents.clear();
    this.nextNumber = 1;
    const seeds = [...this.seeds()].sort((a, b) =>
      a.properties.createdTimeUtc.localeCompare(b.properties.createdTimeUtc),
    );
    for (const seed of seeds) this.loadSeed(seed);
  }

  /** Stores a generated incident as-is (timestamps from the seed), numbering it. */
  loadSeed(seed: SentinelIncidentSeed): StoredIncident {
    const p = seed.properties;
    const number = this.nextNumber++;
    const stored: StoredIncident = {
      resource: {
        id: this.incidentId(seed.name),
        name: seed.name,
        type: "Microsoft.SecurityInsights/incidents",
        etag: this.newEtag(),
        properties: {
          title: p.title,
          severity: p.severity,
          status: p.status,
          ...(p.description !== undefined ? { description: p.description } : {}),
          ...(p.classification ? { classification: p.classification } : {}),
          ...(p.classificationReason ? { classificationReason: p.classificationReason } : {}),
          ...(p.classificationComment ? { classificationComment: p.classificationComment } : {}),
          owner: this.resolveOwner(p.owner),
          labels: p.labels.map((l) => ({ ...l })),
          ...(p.firstActivityTimeUtc ? { firstActivityTimeUtc: p.firstActivityTimeUtc } : {}),
          ...(p.lastActivityTimeUtc ? { lastActivityTimeUtc: p.lastActivityTimeUtc } : {}),
          createdTimeUtc: p.createdTimeUtc,
          lastModifiedTimeUtc: p.lastModifiedTimeUtc,
          incidentNumber: number,
          incidentUrl: this.incidentUrl(seed.name),
          providerName: p.providerName,
          providerIncidentId: p.providerIncidentId ?? String(number),
          relatedAnalyticRuleIds:
            p.providerName === "Azure Sentinel"
              ? [`${this.resourcePrefix}/alertRules/${this.services.newGuid()}`]
              : [],
          additionalData: {
            alertsCount: 0,
            bookmarksCount: 0,
            commentsCount: 0,
            alertProductNames: [],
            tactics: [],
            techniques: [],
            ...(p.additionalData ?? {}),
          },
        },
      },
      comments: new Map(),
      alerts: seed.alerts.map((a) => this.alertResource(a.properties)),
      entities: seed.entities.map((e) => this.entityResource(e.kind, e.properties)),
    };
    this.incidents.set(seed.name, stored);
    this.services.clock.observe(p.lastModifiedTimeUtc);
    this.refreshAdditionalData(stored);
    return stored;
  }

  alertResource(properties: Record<string, unknown>): SentinelAlert {
    const name = this.services.newGuid();
    return {
      id: `${this.resourcePrefix}/Entities/${name}`,
      name,
      type: "Microsoft.SecurityInsights/Entities",
      kind: "SecurityAlert",
      properties: {
        ...Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined)),
        systemAlertId: name,
        resourceIdentifiers: [
          {
            type: "LogAnalytics",
            workspaceId: this.workspaceId,
            subscriptionId: this.subscriptionId,
            resourceGroup: this.resourceGroupName,
          },
        ],
      },
    };
  }

  entityResource(kind: string, properties: Record<string, unknown>): SentinelEntity {
    const name = this.services.newGuid();
    return {
      id: `${this.resourcePrefix}/Entities/${name}`,
      name,
      type: "Microsoft.SecurityInsights/Entities",
      kind,
      properties,
    };
  }

  incidentUrl(name: string): string {
    return `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${this.incidentId(name)}`;
  }

  newEtag(): string {
    return `"${this.services.newGuid()}"`;
  }

  /** Fills the owner from the directory, by objectId, then UPN, then email (the service does the same via Entra). */
  resolveOwner(owner: Partial<SentinelOwner> | null | undefined): SentinelOwner {
    const o = owner ?? {};
    const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
    const user =
      this.directory.find(
        (u) => lower(o.objectId) !== undefined && u.objectId.toLowerCase() === lower(o.objectId),
      ) ??
      this.directory.find(
        (u) =>
          lower(o.userPrincipalName) !== undefined &&
          u.userPrincipalName.toLowerCase() === lower(o.userPrincipalName),
      ) ??
      this.directory.find((u) => lower(o.email) !== undefined && u.email.toLowerCase() === lower(o.email));
    if (user) {
      return {
        objectId: user.objectId,
        email: user.email,
        assignedTo: user.displayName,
        userPrincipalName: user.userPrincipalName,
        ownerType: "User",
      };
    }
    const any = Boolean(o.objectId || o.userPrincipalName || o.email || o.assignedTo);
    return {
      objectId: o.objectId ?? null,
      email: o.email ?? null,
      assignedTo: o.assignedTo ?? o.userPrincipalName ?? o.email ?? null,
      userPrincipalName: o.userPrincipalName ?? null,
      ownerType: canonical(OWNER_TYPES, o.ownerType) ?? (any ? "User" : "Unknown"),
    };
  }

  /** Labels as stored: `labelType` is read-only — new labels are "User", existing ones keep their type. */
  resolveLabels(
    labels: { labelName: string; labelType?: string }[] | undefined,
    previous: SentinelLabel[],
  ): SentinelLabel[] {
    const out: SentinelLabel[] = [];
    const seen = new Set<string>();
    for (const label of labels ?? []) {
      if (seen.has(label.labelName)) continue;
      seen.add(label.labelName);
      const old = previous.find((p) => p.labelName === label.labelName);
      out.push({ labelName: label.labelName, labelType: old?.labelType ?? "User" });
    }
    return out;
  }

  refreshAdditionalData(stored: StoredIncident): void {
    const data = stored.resource.properties.additionalData;
    data.alertsCount = stored.alerts.length;
    if (stored.alerts.length > 0) {
      data.alertProductNames = [
        ...new Set(stored.alerts.map((a) => String(a.properties.productName ?? ""))),
      ].filter(Boolean);
    }
    data.commentsCount = stored.comments.size;
  }

  /**
   * Applies a full PUT (already validated) to a new or existing incident. Returns whether it was created.
   */
  put(name: string, input: SentinelIncidentInput): { created: boolean; stored: StoredIncident } {
    const existing = this.incidents.get(name);
    const stamp = this.services.clock.stamp();
    const previous = existing?.resource.properties;
    const number = previous?.incidentNumber ?? this.nextNumber++;
    const properties: SentinelIncidentProperties = {
      title: input.title,
      severity: canonical(SEVERITIES, input.severity) ?? input.severity,
      status: canonical(STATUSES, input.status) ?? input.status,
      ...(input.description !== undefined && input.description !== null
        ? { description: input.description }
        : {}),
      ...(input.classification
        ? { classification: canonical(CLASSIFICATIONS, input.classification) ?? input.classification }
        : {}),
      ...(input.classificationReason
        ? {
            classificationReason:
              canonical(CLASSIFICATION_REASONS, input.classificationReason) ?? input.classificationReason,
          }
        : {}),
      ...(input.classificationComment !== undefined && input.classificationComment !== null
        ? { classificationComment: input.classificationComment }
        : {}),
      owner: this.resolveOwner(input.owner),
      labels: this.resolveLabels(input.labels, previous?.labels ?? []),
      ...(input.firstActivityTimeUtc ? { firstActivityTimeUtc: input.firstActivityTimeUtc } : {}),
      ...(input.lastActivityTimeUtc ? { lastActivityTimeUtc: input.lastActivityTimeUtc } : {}),
      createdTimeUtc: previous?.createdTimeUtc ?? stamp,
      lastModifiedTimeUtc: stamp,
      incidentNumber: number,
      incidentUrl: this.incidentUrl(name),
      providerName: previous?.providerName ?? "Azure Sentinel",
      providerIncidentId: previous?.providerIncidentId ?? String(number),
      relatedAnalyticRuleIds: previous?.relatedAnalyticRuleIds ?? [],
      additionalData: previous?.additionalData ?? {
        alertsCount: 0,
        bookmarksCount: 0,
        commentsCount: 0,
        alertProductNames: [],
        tactics: [],
        techniques: [],
      },
    };
    const stored: StoredIncident = existing ?? {
      resource: undefined as never,
      comments: new Map(),
      alerts: [],
      entities: [],
    };
    stored.resource = {
      id: this.incidentId(name),
      name,
      type: "Microsoft.SecurityInsights/incidents",
      etag: this.newEtag(),
      properties,
    };
    this.refreshAdditionalData(stored);
    this.incidents.set(name, stored);
    return { created: !existing, stored };
  }

  /** Bumps etag and lastModifiedTimeUtc (the incident resource changed, e.g. its comment count). */
  touch(stored: StoredIncident): void {
    stored.resource.etag = this.newEtag();
    stored.resource.properties.lastModifiedTimeUtc = this.services.clock.stamp();
    this.refreshAdditionalData(stored);
  }

  commentResource(incidentName: string, commentId: string): string {
    return `${this.incidentId(incidentName)}/comments/${commentId}`;
  }

  /** Creates or edits a comment. `author` is only used on create (author is read-only). */
  putComment(
    stored: StoredIncident,
    commentId: string,
    message: string,
    author: SentinelComment["properties"]["author"],
  ) {
    const stamp = this.services.clock.stamp();
    const existing = stored.comments.get(commentId);
    const comment: SentinelComment = {
      id: this.commentResource(stored.resource.name, commentId),
      name: commentId,
      type: "Microsoft.SecurityInsights/incidents/comments",
      etag: this.services.newGuid(),
      properties: {
        message,
        createdTimeUtc: existing?.properties.createdTimeUtc ?? stamp,
        lastModifiedTimeUtc: stamp,
        author: existing?.properties.author ?? author,
      },
    };
    stored.comments.set(commentId, comment);
    this.touch(stored);
    return { created: !existing, comment };
  }

  /** The ClientInfo of an API caller. */
  static apiAuthor(): SentinelComment["properties"]["author"] {
    return {
      objectId: EMULATOR_APP_OBJECT_ID,
      email: null,
      name: EMULATOR_APP_NAME,
      userPrincipalName: null,
    };
  }

  private userAuthor(author: CommentAuthor | string | undefined): SentinelComment["properties"]["author"] {
    if (author && typeof author === "object") {
      return {
        objectId: author.objectId ?? null,
        email: author.email ?? null,
        name: author.name ?? null,
        userPrincipalName: author.userPrincipalName ?? null,
      };
    }
    const user =
      typeof author === "string"
        ? this.directory.find((u) => u.userPrincipalName.toLowerCase() === author.toLowerCase())
        : this.directory[0];
    if (!user) {
      // Not in the directory: keep the text as the display name (and as UPN when it looks like one).
      const text = typeof author === "string" ? author : null;
      return {
        objectId: null,
        email: null,
        name: text,
        userPrincipalName: text?.includes("@") ? text : null,
      };
    }
    return {
      objectId: user.objectId,
      email: user.email,
      name: user.displayName,
      userPrincipalName: user.userPrincipalName,
    };
  }

  private require(name: string): StoredIncident {
    const stored = this.incidents.get(name);
    if (!stored)
      throw new EmulatorError(`Sentinel incident ${name} does not exist in workspace ${this.workspaceName}`);
    return stored;
  }

  // ---- control API ----

  createIncident(properties: SentinelIncidentInput, name?: string): SentinelIncident {
    const incidentName = name ?? this.services.newGuid();
    if (this.incidents.has(incidentName))
      throw new EmulatorError(`Sentinel incident ${incidentName} already exists`);
    const { stored } = this.put(incidentName, properties);
    const p = stored.resource.properties;
    if (properties.providerName) p.providerName = properties.providerName;
    if (properties.providerIncidentId) p.providerIncidentId = properties.providerIncidentId;
    for (const l of properties.labels ?? []) {
      const label = p.labels.find((x) => x.labelName === l.labelName);
      if (label && l.labelType) label.labelType = l.labelType;
    }
    return structuredClone(stored.resource);
  }

  editIncident(name: string, patch: SentinelIncidentEdit): SentinelIncident {
    const stored = this.require(name);
    const current = stored.resource.properties;
    const merged = { ...structuredClone(current), ...structuredClone(patch) } as SentinelIncidentInput;
    const explicitTypes = new Map(
      (patch.labels ?? []).filter((l) => l.labelType).map((l) => [l.labelName, l.labelType!]),
    );
    this.put(name, merged);
    const p = stored.resource.properties;
    for (const label of p.labels) {
      const t = explicitTypes.get(label.labelName);
      if (t) label.labelType = t;
    }
    if (patch.providerName) p.providerName = patch.providerName;
    if (patch.providerIncidentId) p.providerIncidentId = patch.providerIncidentId;
    return structuredClone(stored.resource);
  }

  addComment(name: string, message: string, author?: CommentAuthor | string): SentinelComment {
    const stored = this.require(name);
    const { comment } = this.putComment(stored, this.services.newGuid(), message, this.userAuthor(author));
    return structuredClone(comment);
  }

  editComment(name: string, commentId: string, message: string): SentinelComment {
    const stored = this.require(name);
    const existing = stored.comments.get(commentId);
    if (!existing) throw new EmulatorError(`comment ${commentId} does not exist on incident ${name}`);
    const { comment } = this.putComment(stored, commentId, message, existing.properties.author);
    return structuredClone(comment);
  }

  getIncident(name: string): SentinelIncident | undefined {
    const stored = this.incidents.get(name);
    return stored ? structuredClone(stored.resource) : undefined;
  }

  listIncidents(): SentinelIncident[] {
    return [...this.incidents.values()]
      .sort((a, b) => a.resource.properties.incidentNumber - b.resource.properties.incidentNumber)
      .map((s) => structuredClone(s.resource));
  }

  listComments(name: string): SentinelComment[] {
    return sortedComments(this.require(name)).map((c) => structuredClone(c));
  }

  findByProviderIncidentId(providerIncidentId: string): SentinelIncident | undefined {
    for (const s of this.incidents.values()) {
      if (
        s.resource.properties.providerIncidentId === providerIncidentId &&
        s.resource.properties.providerName !== "Azure Sentinel"
      ) {
        return structuredClone(s.resource);
      }
    }
    return undefined;
  }

  /** Stored record of the connector copy of a Defender incident. */
  connectorCopyRecord(defenderId: string): StoredIncident | undefined {
    for (const s of this.incidents.values()) {
      const p = s.resource.properties;
      if (p.providerIncidentId === defenderId && p.providerName !== "Azure Sentinel") return s;
    }
    return undefined;
  }
}

export function sortedComments(stored: StoredIncident): SentinelComment[] {
  return [...stored.comments.values()].sort((a, b) =>
    a.properties.createdTimeUtc.localeCompare(b.properties.createdTimeUtc),
  );
}

export function workspaceKey(c: WorkspaceCoordinates): string {
  return `${c.subscriptionId}/${c.resourceGroupName}/${c.workspaceName}`.toLowerCase();
}
